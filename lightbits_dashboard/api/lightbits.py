#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Lightbits cluster REST API v2: a small client and a request-level layer.

`Client` speaks to one cluster: several API endpoints tried in order, the
next one only when an endpoint gives no HTTP answer (connection refused,
TLS failure, timeout), as Cinder's LightOS driver does. An HTTP answer,
even an error, is the cluster's answer and is not retried elsewhere.

The JWT is sent only in the Authorization header. No exception text and no
log line built here contains it: messages are composed from our own words,
the endpoint and a short, redacted excerpt of the server's reply.

A real cluster lists at most 1,000 objects per call: `list_volumes` pages
with `limit`/`offsetUUID` until a short page, whatever the cluster's order
and whether it repeats the offset object. A 503 (the cluster is busy, e.g. a
volume is Creating or Updating) is retried a few times with backoff, as
los-csi and Cinder do, then reported as `LightbitsBusy`. 400, 409 and 412
become exceptions with a plain reason. Unknown fields are ignored and
uint64 values (sizes) may be strings or numbers: callers convert with int().

The module-level functions (`cluster_state`, `backends`) take the Django
request like openstack_dashboard.api modules do; they build clients from the
plugin settings (conf CLUSTERS) and cache each cluster's lists briefly in
Django's cache so one page view costs one list call per cluster.
"""

import hashlib
import json
import logging
import os
import re
import time

import requests
from django.views.decorators.debug import sensitive_variables

from lightbits_dashboard import shared_cache

LOG = logging.getLogger(__name__)


API_PREFIX = "/api/v2"
DEFAULT_TIMEOUT = 10
PAGE_LIMIT = 1000  # the most a cluster lists per call (facts: Delete + list)
MAX_PAGES = 1000  # a safety bound: a million objects
BUSY_RETRIES = 3  # 503 answers retried after 0.5, 1 and 2 s
BUSY_BACKOFF = 0.5
_EXCERPT = 200
_REDACTED = "<redacted>"
_TOKEN_CHARS = r"[A-Za-z0-9_\-.=+/]*"  # base64url, base64 and the JWT's dots
_MIN_SEGMENT = 8  # shorter parts of a token are not secrets on their own


class LightbitsError(Exception):
    """A Lightbits API call failed; the text is safe to show an admin.

    ``tried_at``: time.time() of the call, when known (a failure remembered
    in the cache is older than the page view that reports it).
    """

    tried_at = None

    def __init__(self, message, status=None, endpoint=None):
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint


class LightbitsUnreachable(LightbitsError):
    """No endpoint of the cluster gave an HTTP answer."""


class LightbitsAuthError(LightbitsError):
    """401/403: the token is missing, expired, forged or lacks the right."""


class LightbitsNotFound(LightbitsError):
    """404."""


class LightbitsConfigError(LightbitsError):
    """The cluster's settings are unusable (no endpoint, unreadable JWT file)."""


class LightbitsBusy(LightbitsError):
    """503 after the retries: the cluster or the volume is busy."""


class LightbitsRefused(LightbitsError):
    """400: an invalid request, a changed ETag, or a volume in a state that
    does not allow it (Deleting, Failed)."""


class LightbitsConflict(LightbitsError):
    """409 or 412: the name exists, another operation runs, or the object
    changed since it was read."""


# HTTP status -> (exception class, the reason shown before the cluster's own words)
_REASONS = {
    400: (
        LightbitsRefused,
        "the cluster refused the request (invalid, changed since read, or the "
        "volume is deleting or failed)",
    ),
    401: (LightbitsAuthError, "the token was not accepted"),
    403: (LightbitsAuthError, "the token lacks the permission"),
    404: (LightbitsNotFound, "not found"),
    409: (LightbitsConflict, "conflict (the name exists or another operation is running)"),
    412: (LightbitsConflict, "the object changed since it was read"),
    503: (LightbitsBusy, "the cluster is busy; try again in a moment"),
}


def _base_url(endpoint):
    endpoint = endpoint.strip().rstrip("/")
    if endpoint.startswith(("https://", "http://")):
        return endpoint
    return "https://" + endpoint


class Client:
    """One Lightbits cluster, reached through one of several API endpoints."""

    @sensitive_variables("jwt")
    def __init__(
        self,
        api_endpoints,
        jwt=None,
        jwt_file=None,
        ca_file=None,
        verify=True,
        timeout=DEFAULT_TIMEOUT,
        name="",
        session=None,
        sleep=time.sleep,
    ):
        if isinstance(api_endpoints, str):
            api_endpoints = [api_endpoints]
        self.endpoints = [_base_url(e) for e in api_endpoints or [] if e and e.strip()]
        self.name = name
        self.timeout = timeout or DEFAULT_TIMEOUT
        self._jwt = jwt
        self._jwt_file = jwt_file
        self._file_cache = (None, None)  # (mtime, token) of the JWT file
        # verify=False turns TLS verification off explicitly; otherwise the CA
        # file when given, else the system/certifi bundle.
        self.verify = False if verify is False else (ca_file or True)
        self._session = session or requests.Session()
        self._sleep = sleep
        self._preferred = 0

    def __repr__(self):
        return f"<lightbits.Client {self.name!r} {self.endpoints}>"

    # -- secrets -----------------------------------------------------------

    @sensitive_variables("token", "f")
    def _token(self):
        if self._jwt:
            return self._jwt.strip()
        if self._jwt_file:
            try:
                with open(self._jwt_file, encoding="utf-8") as f:
                    token = f.read().strip()
            except OSError as exc:
                raise LightbitsConfigError(
                    self._say(f"cannot read the JWT file ({exc.strerror or type(exc).__name__})")
                ) from None
            if token:
                return token
        raise LightbitsConfigError(self._say("no JWT configured (jwt or jwt_file)"))

    @sensitive_variables("secret", "segment")
    def _redact(self, text):
        """Remove the token from a text that may echo request data: the whole
        token, each of its segments (header, payload, signature), and any
        token-like run of characters containing one."""
        text = str(text)
        for secret in (self._jwt, self._file_token()):
            secret = (secret or "").strip()
            if not secret:
                continue
            text = text.replace(secret, _REDACTED)
            for segment in {s for s in secret.split(".") if len(s) >= _MIN_SEGMENT}:
                text = re.sub(_TOKEN_CHARS + re.escape(segment) + _TOKEN_CHARS, _REDACTED, text)
        return text

    @sensitive_variables("f")
    def _file_token(self):
        """The JWT file's token (to redact it), re-read only when the file
        changed (its mtime); None when there is no readable file."""
        if not self._jwt_file:
            return None
        try:
            mtime = os.stat(self._jwt_file).st_mtime_ns
            if self._file_cache[0] != mtime:
                with open(self._jwt_file, encoding="utf-8") as f:
                    self._file_cache = (mtime, f.read().strip())
        except OSError:
            return None
        return self._file_cache[1]

    def _say(self, what):
        return f"Lightbits cluster {self.name or '(unnamed)'}: {what}"

    # -- transport ---------------------------------------------------------

    def request(self, method, path, params=None, body=None, headers=None):
        """One API call with failover and bounded 503 retries; returns the
        decoded JSON (or {})."""
        for attempt in range(BUSY_RETRIES + 1):
            try:
                return self._request_once(method, path, params, body, headers)
            except LightbitsBusy:
                if attempt == BUSY_RETRIES:
                    raise
                LOG.info(
                    "Lightbits cluster %s: %s %s busy (503), retrying", self.name, method, path
                )
                self._sleep(BUSY_BACKOFF * 2**attempt)

    # Django's error reports (DEBUG pages, admin mails) list frame locals.
    @sensitive_variables("token", "all_headers")
    def _request_once(self, method, path, params, body, headers):
        if not self.endpoints:
            raise LightbitsConfigError(self._say("no API endpoint configured"))
        token = self._token()
        all_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        all_headers.update(headers or {})
        order = self.endpoints[self._preferred :] + self.endpoints[: self._preferred]
        failures = []
        for base in order:
            url = base + API_PREFIX + path
            try:
                resp = self._session.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers=all_headers,
                    verify=self.verify,
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                # No HTTP answer from this endpoint: try the next one.
                reason = _no_answer_reason(exc)
                failures.append(f"{base} ({reason})")
                LOG.warning(
                    "Lightbits cluster %s: endpoint %s gave no answer (%s)",
                    self.name,
                    base,
                    reason,
                )
                continue
            except Exception as exc:
                # Not a transport failure: a bug or an unexpected library error.
                # Re-raised without its context: the frames below this one
                # (requests, urllib3) hold the Authorization header in their
                # locals, which Django's error reports would print.
                raise LightbitsError(
                    self._say(f"{method} {path} at {base}: {type(exc).__name__}"),
                    endpoint=base,
                ) from None
            self._preferred = self.endpoints.index(base)
            return self._decode(method, path, base, resp)
        raise LightbitsUnreachable(
            self._say("no API endpoint answered: " + "; ".join(failures)),
        )

    def _decode(self, method, path, base, resp):
        if resp.status_code < 400:
            if not resp.content:
                return {}
            try:
                data = resp.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise LightbitsError(
                    self._say(f"{method} {path} at {base}: the answer is not a JSON object"),
                    status=resp.status_code,
                    endpoint=base,
                ) from None
            return data
        detail = self._redact(_error_detail(resp))[:_EXCERPT]
        cls, reason = _REASONS.get(resp.status_code, (LightbitsError, ""))
        if reason:
            reason += ": "
        message = self._say(
            f"{reason}{method} {path} at {base}: HTTP {resp.status_code} {detail}".strip()
        )
        raise cls(message, status=resp.status_code, endpoint=base)

    # -- API calls ---------------------------------------------------------

    def cluster_info(self):
        return self.request("GET", "/clusterinfo")

    def nodes(self):
        return self._list("/nodes", "nodes")

    def list_volumes(self, project=None):
        """All volumes (all projects with a cluster-admin token), page by page.

        showAll=true: Deleting volumes too, which a cluster hides otherwise,
        so the panel reads the same whether or not a cluster hides them."""
        path = f"/projects/{project}/volumes" if project else "/volumes"
        return self._list_paged(path, "volumes", {"showAll": "true"})

    def _list_paged(self, path, key, params=None):
        """Every object of a list of at most PAGE_LIMIT per call, following
        ``offsetUUID`` until a short page. Objects seen already are skipped
        (a cluster may repeat the offset object), and a page without news
        ends the walk (a server that ignores paging answers all at once)."""
        items, seen, offset = [], set(), None
        for _ in range(MAX_PAGES):
            query = dict(params or {}, limit=PAGE_LIMIT)
            if offset:
                query["offsetUUID"] = offset
            page = self._list(path, key, query)
            fresh = [i for i in page if i.get("UUID") not in seen or i.get("UUID") is None]
            seen.update(i.get("UUID") for i in fresh)
            items += fresh
            last = page[-1].get("UUID") if page else None
            if len(page) < PAGE_LIMIT or not fresh or not isinstance(last, str) or not last:
                return items
            offset = last
        raise LightbitsError(self._say(f"GET {path}: more than {MAX_PAGES} pages"))

    def _list(self, path, key, params=None):
        """The objects listed under ``key`` (absent or null: none). Any other
        shape is a LightbitsError, so the page degrades instead of failing."""
        items = self.request("GET", path, params=params).get(key)
        if items is None:
            return []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise LightbitsError(self._say(f"GET {path}: the answer has no list of {key}"))
        return items


def _no_answer_reason(exc):
    """A short reason without the exception text (it may quote the URL)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS verification failed"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed"
    return type(exc).__name__


def _error_detail(resp):
    try:
        data = resp.json()
    except ValueError:
        return (resp.text or "").strip().replace("\n", " ")
    if isinstance(data, dict):
        for key in ("message", "error", "detail"):
            if data.get(key):
                return str(data[key])
    return json.dumps(data)[:_EXCERPT]


# -- request-level layer (shaped like openstack_dashboard.api modules) ------


def backends():
    """Configured Cinder volume_backend_name -> cluster settings."""
    from lightbits_dashboard import conf

    return conf.get("CLUSTERS") or {}


# A cluster's settings hold its JWT: hidden from error reports' frame locals.
@sensitive_variables("settings")
def client_for(backend):
    from lightbits_dashboard import conf

    settings = backends().get(backend)
    if settings is None:
        raise LightbitsConfigError(f"Lightbits cluster {backend}: not configured")
    return Client(
        settings.get("api_endpoints") or [],
        jwt=settings.get("jwt"),
        jwt_file=settings.get("jwt_file"),
        ca_file=settings.get("ca_file"),
        verify=settings.get("verify", True),
        timeout=settings.get("timeout") or conf.get("CLUSTER_TIMEOUT"),
        name=backend,
    )


# The volume fields the admin panel reads; the cached copy keeps only these
# (a 10,000-volume list shrinks by more than half).
VOLUME_FIELDS = (
    "UUID",
    "name",
    "projectName",
    "state",
    "protectionState",
    "replicaCount",
    "compression",
    "size",
    "nodeList",
    "sourceSnapshotUUID",
    "sourceSnapshotName",
    "rebuildProgress",
)


def _slim(volume):
    return {k: volume[k] for k in VOLUME_FIELDS if k in volume}


def _cache_key(backend, settings):
    # The endpoints are part of the key so a settings change is seen at once;
    # the JWT is not (it must never reach any storage, even hashed).
    digest = hashlib.sha256(
        json.dumps([backend, settings.get("api_endpoints")], sort_keys=True).encode()
    ).hexdigest()[:16]
    return f"lightbits_dashboard:cluster:{digest}"


@sensitive_variables("settings")
def cluster_state(request, backend, refresh=False):
    """One cluster's info, nodes and volumes, cached briefly.

    Returns {"info": {...}, "nodes": [...], "volumes": [...], "tried_at": t}
    (t: time.time() of the cluster call); raises LightbitsError when the
    cluster cannot be read. A cluster that gives no answer costs every
    endpoint's timeout, so that failure is remembered for the same time as a
    good answer: page views in between do not wait again (the error's
    ``tried_at`` says when the cluster was last tried). The state is stored
    with shared_cache.set_large: a list of tens of thousands of volumes
    stays cached in memcached despite its 1 MB item limit.
    """
    from lightbits_dashboard import conf

    settings = backends().get(backend)
    if settings is None:
        raise LightbitsConfigError(f"Lightbits cluster {backend}: not configured")
    key = _cache_key(backend, settings)
    if not refresh:
        cached = shared_cache.get_large(key)
        if cached is not None:
            if "unreachable" in cached:
                raise _remembered_failure(cached)
            return cached
    client = client_for(backend)
    tried_at = time.time()
    try:
        state = {
            "info": client.cluster_info(),
            "nodes": client.nodes(),
            "volumes": [_slim(v) for v in client.list_volumes()],
            "tried_at": tried_at,
        }
    except LightbitsUnreachable as exc:
        failure = {"unreachable": str(exc), "tried_at": tried_at}
        shared_cache.set_large(key, failure, conf.get("CLUSTER_CACHE_SECONDS"))
        exc.tried_at = tried_at
        raise
    shared_cache.set_large(key, state, conf.get("CLUSTER_CACHE_SECONDS"))
    return state


def _remembered_failure(cached):
    exc = LightbitsUnreachable(cached["unreachable"])
    exc.tried_at = cached.get("tried_at")
    return exc


@sensitive_variables("settings")
def forget_cluster_state(backend):
    """Drop one cluster's cached lists (after an action changed it)."""
    settings = backends().get(backend)
    if settings is not None:
        shared_cache.delete_large(_cache_key(backend, settings))


# A first missed answer (a slow moment, a busy cluster) is tried again this
# soon (at most half of CLUSTER_CACHE_SECONDS); only a second miss in a row
# says the cluster is down.
PROBE_RETRY_SECONDS = 5


def _retry_seconds(ttl):
    return min(PROBE_RETRY_SECONDS, ttl / 2)


def unreachable_since(request, backend):
    """time.time() since which cluster ``backend`` has given no answer, or
    None (down_state's verdict): its last answer seen, else the first miss."""
    down = down_state(request, backend)
    return (down["answered_at"] or down["since"]) if down else None


@sensitive_variables("settings")
def down_state(request, backend):
    """{"since": the first miss, "answered_at": the last answer seen or
    None} of cluster ``backend`` once two tries in a row got no answer; None
    while it answers (even with an error), after a single missed answer, or
    when it is not configured.

    Cheap enough for every project page view and launch poll: one cluster
    info call (CLUSTER_TIMEOUT per endpoint) whose outcome is shared by every
    process, or none while the admin page's cluster state is a recent
    answer. An answer is trusted for CLUSTER_CACHE_SECONDS less the retry
    delay, so a cluster that stops answering is said down within one
    CLUSTER_CACHE_SECONDS of its last answer (plus the tries' own timeouts).
    A miss is also remembered as the cluster state, so the admin page does
    not wait for it again. Nothing about the cluster (endpoints, the
    cluster's words) is returned: project members see only that it is down.
    """
    from lightbits_dashboard import conf

    settings = backends().get(backend)
    if settings is None:
        return None
    key = _cache_key(backend, settings)
    ttl = conf.get("CLUSTER_CACHE_SECONDS")
    probe_key = key + ":probe"
    probe = shared_cache.get_cache().get(probe_key)
    probe = probe if isinstance(probe, dict) and "misses" in probe else None
    now = time.time()
    if probe is not None:
        fresh_for = {0: ttl - _retry_seconds(ttl), 1: _retry_seconds(ttl)}.get(
            probe["misses"], ttl
        )
        if now - probe["tried_at"] < fresh_for:
            return _down_since(probe)
    cached = shared_cache.get_large(key)
    answered_at = None
    if cached is not None and "unreachable" not in cached:
        answered_at = cached.get("tried_at")  # the admin page's read
        if answered_at is not None and now - answered_at < ttl - _retry_seconds(ttl):
            return None
    probe = _probe(backend, key, ttl, now, probe, answered_at)
    try:  # kept longer than it is fresh: a run of misses is counted
        shared_cache.get_cache().set(probe_key, probe, 4 * ttl)
    except Exception as exc:
        LOG.warning("lightbits_dashboard: not cached (%s): %s", type(exc).__name__, probe_key)
    return _down_since(probe)


def _down_since(probe):
    if probe["misses"] < 2:
        return None
    return {"since": probe["down_since"], "answered_at": probe.get("answered_at")}


def _probe(backend, key, ttl, now, previous, answered_at=None):
    """One cluster info call: the probe's new state after ``previous``
    (``answered_at``: another read's last answer, when known)."""
    try:
        client_for(backend).cluster_info()
    except LightbitsUnreachable as exc:
        shared_cache.set_large(key, {"unreachable": str(exc), "tried_at": now}, ttl)
        misses = previous["misses"] if previous else 0
        since = previous["down_since"] if misses else now
        known = [t for t in ((previous or {}).get("answered_at"), answered_at) if t]
        return {
            "misses": misses + 1,
            "down_since": since,
            "tried_at": now,
            "answered_at": max(known) if known else None,
        }
    except LightbitsError:
        pass  # an answer: the cluster is there (the admin page says what it said)
    return {"misses": 0, "down_since": None, "tried_at": now, "answered_at": now}
