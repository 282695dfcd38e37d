"""OpenStack services faked at the HTTP level, with their real page limits.

For tools/bench-admin-page: the real clients (cinderclient, glanceclient,
keystoneclient, novaclient), Horizon's API wrappers, views and templates run
unchanged; only the servers are fake. Every answer waits LATENCY seconds.

* Cinder: GET /volumes/detail answers at most 1,000 volumes (its default
  osapi_max_limit) with a ``volumes_links`` next link; ``limit``, ``marker``,
  ``all_tenants``, ``project_id``, ``name`` and the like filter ``name~``
  as Cinder 29 applies them (cinder/api/common.py, cinder/db/api.py):
  ``name~`` is LIKE '%value%'; a 400 for users Cinder's resource_filters.json
  does not allow it (``like_refused``: its default for non-admins). Seen in
  the local cloud at 3.33, 3.34 and 3.58: admin filtered, demo 400 "Invalid
  filters name~ are found in query options.". Without a project id in the URL the volumes are
  those of ``project_id`` (the token's project).
* Glance: GET /v2/images answers at most 1,000 (api_limit_max) with a
  ``next`` link; the real image schema (glance_image_schema.json).
  The ``metadata`` filter (a dict literal, Cinder's literal_eval) matches
  every key=value exactly; ``sort`` ``created_at:desc|asc`` (then id).
* Keystone: one call lists the projects; Nova: GET /servers/detail answers
  at most 1,000 servers (osapi_max_limit), ``name`` a regular expression
  (re.search, as Nova's REGEXP) with every "|" escaped first, as Nova does
  on MySQL and MariaDB (nova/db/main/api.py, _safe_regex_mysql): an
  alternation of names matches nothing there.
"""

import ast
import bisect
import json
import os
import re
import time
from collections import Counter
from urllib.parse import parse_qs, urlencode, urlparse

import requests

from tests.unit.admin.fakes import FakeLightbits

CINDER_MAX = 1000
GLANCE_MAX = 1000
LATENCY = 0.020
_NOT_IN_LINKS = ("pid", "marker", "limit")
_SCHEMA = os.path.join(os.path.dirname(__file__), "glance_image_schema.json")


class _Raw:
    version = 11  # HTTP/1.1, read by glanceclient's response log


def _response(url, body, status=200):
    resp = requests.Response()
    resp.status_code = status
    resp.url = url
    resp.reason = "OK"
    resp.raw = _Raw()
    resp.headers["Content-Type"] = "application/json"
    resp.headers["X-Subject-Token"] = "fake-token"
    resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return resp


class FakeCloud:
    """Route requests.Session.request to fake services; count every call."""

    def __init__(
        self, volumes, images, projects, volume_types, stores, latency=LATENCY, servers=()
    ):
        self.servers = list(servers)
        self.volumes = sorted(volumes, key=lambda v: v["id"])
        self.images = sorted(images, key=lambda i: i["id"])
        self.projects = projects
        self.volume_types = volume_types
        self.stores = stores
        self.latency = latency
        self.calls = Counter()
        self.project_id = None  # the token's project
        self.like_refused = False  # Cinder refuses name~ (default for non-admins)
        with open(_SCHEMA) as f:
            self.image_schema = f.read().encode()

    def request(self, method, url, **kwargs):
        parsed = urlparse(url)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        query.update({k: str(v) for k, v in (kwargs.get("params") or {}).items()})
        host = parsed.hostname.split(".")[0:2]
        service = host[1].rstrip("2") if len(host) > 1 else host[0]
        route = getattr(self, "_" + service, None)
        if route is None:
            raise AssertionError(f"no fake for {method} {url}")
        time.sleep(self.latency)
        name, body = route(method.upper(), parsed.path, query, url)
        self.calls[f"{service} {method.upper()} {name}"] += 1
        if isinstance(body, _Refused):
            return _response(url, {"badRequest": {"code": 400, "message": body.message}}, 400)
        return _response(url, body)

    # -- Cinder ---------------------------------------------------------------

    def _cinder(self, method, path, query, url):
        parts = [p for p in path.split("/") if p]
        if not parts:
            return "/", {
                "versions": [
                    {
                        "id": "v3.0",
                        "status": "CURRENT",
                        "version": "3.70",
                        "min_version": "3.0",
                        "links": [{"rel": "self", "href": url.rstrip("/") + "/v3/"}],
                    }
                ]
            }
        # /v3/<resource> or /v3/<project id>/<resource>
        rest = parts[1:]
        query["pid"] = None
        if rest and len(rest[0]) == 32 and rest[0] not in ("volumes", "types"):
            query["pid"] = rest.pop(0)
        resource = "/".join(rest)
        parts = ["v3", query["pid"]] + rest
        if resource == "volumes/detail":
            return "/volumes/detail", self._volume_page(query, url)
        if resource.startswith("volumes/"):
            vid = parts[3]
            vol = next((v for v in self.volumes if v["id"] == vid), None)
            return "/volumes/<id>", {"volume": vol}
        if resource == "types":
            return "/types", {"volume_types": self.volume_types}
        if resource.startswith("types/") and resource.endswith("/encryption"):
            return "/types/<id>/encryption", {}
        if resource == "scheduler-stats/get_pools":
            return "/" + resource, {"pools": []}
        if resource == "limits":
            absolute = {
                "maxTotalVolumes": -1,
                "totalVolumesUsed": len(self.volumes),
                "maxTotalVolumeGigabytes": -1,
                "totalGigabytesUsed": len(self.volumes),
                "maxTotalSnapshots": -1,
                "totalSnapshotsUsed": 0,
            }
            return "/limits", {"limits": {"absolute": absolute, "rate": []}}
        if resource == "os-services":
            return "/" + resource, {"services": []}
        if resource in ("snapshots/detail", "groups/detail", "os-volume-transfer/detail"):
            key = {"snapshots": "snapshots", "groups": "groups"}.get(parts[2], "transfers")
            return "/" + resource, {key: []}
        raise AssertionError(f"no fake for cinder {method} {path}")

    def _volume_page(self, query, url):
        rows = self.volumes
        if "name~" in query and self.like_refused:
            return _Refused("Invalid filters name~ are found in query options.")
        if query.get("all_tenants") not in ("1", "True", "true"):
            project = query.get("pid") or self.project_id
            rows = [v for v in rows if v["os-vol-tenant-attr:tenant_id"] == project]
        if "project_id" in query:
            rows = [v for v in rows if v["os-vol-tenant-attr:tenant_id"] == query["project_id"]]
        if "name" in query:
            rows = [v for v in rows if v["name"] == query["name"]]
        if "name~" in query:
            rows = [v for v in rows if query["name~"] in (v["name"] or "")]
        if "metadata" in query:
            wanted = ast.literal_eval(query["metadata"]).items()
            rows = [v for v in rows if all(v["metadata"].get(k) == x for k, x in wanted)]
        if query.get("sort"):
            key, _sep, direction = query["sort"].partition(":")
            rows = sorted(rows, key=lambda v: (v[key], v["id"]), reverse=direction == "desc")
        start = 0
        if query.get("marker"):
            ids = [v["id"] for v in rows]
            start = ids.index(query["marker"]) + 1
        limit = min(int(query.get("limit") or CINDER_MAX), CINDER_MAX)
        page = rows[start : start + limit]
        body = {"volumes": page}
        if start + limit < len(rows) and page:
            base = url.split("?", 1)[0]
            # As Cinder's next link: the request's filters, the next marker.
            kept = {k: v for k, v in query.items() if k not in _NOT_IN_LINKS}
            href = f"{base}?{urlencode(dict(kept, limit=limit, marker=page[-1]['id']))}"
            body["volumes_links"] = [{"rel": "next", "href": href}]
        return body

    # -- Glance ---------------------------------------------------------------

    def _glance(self, method, path, query, url):
        if path == "/v2/schemas/image":
            return path, self.image_schema
        if path == "/v2/info/stores/detail":
            return path, {"stores": self.stores}
        if path == "/v2/images":
            hidden = query.get("os_hidden") == "true"
            rows = [i for i in self.images if bool(i.get("os_hidden")) == hidden]
            start = 0
            if query.get("marker"):
                start = [i["id"] for i in rows].index(query["marker"]) + 1
            limit = min(int(query.get("limit") or 25), GLANCE_MAX)
            page = rows[start : start + limit]
            body = {"images": page, "first": "/v2/images", "schema": "/v2/schemas/images"}
            if start + limit < len(rows) and page:
                body["next"] = f"/v2/images?limit={limit}&marker={page[-1]['id']}" + (
                    "&os_hidden=true" if hidden else ""
                )
            return path, body
        if path.startswith("/v2/images/"):
            iid = path.split("/")[3]
            return "/v2/images/<id>", next(i for i in self.images if i["id"] == iid)
        raise AssertionError(f"no fake for glance {method} {path}")

    # -- Keystone, Nova -------------------------------------------------------

    def _keystone(self, method, path, query, url):
        if path.endswith("/v3"):
            return "/v3", {
                "version": {
                    "id": "v3.14",
                    "status": "stable",
                    "links": [{"rel": "self", "href": url}],
                }
            }
        if "/domains/" in path:
            return "/domains/<id>", {
                "domain": {"id": "default", "name": "Default", "enabled": True}
            }
        if path.endswith("/auth/tokens"):
            return "/auth/tokens", {"token": _token()}
        if path.endswith("/projects"):
            return "/projects", {"projects": self.projects, "links": {"next": None}}
        raise AssertionError(f"no fake for keystone {method} {path}")

    def _nova(self, method, path, query, url):
        if path.rstrip("/").endswith(("/v2", "/v2.1")) or path in ("", "/"):
            return "/", {
                "version": {
                    "id": "v2.1",
                    "status": "CURRENT",
                    "version": "2.90",
                    "min_version": "2.1",
                    "links": [{"rel": "self", "href": url}],
                }
            }
        if path.endswith("/servers/detail"):
            rows = self.servers
            if query.get("name"):
                pattern = re.compile(query["name"].replace("|", "\\|"))
                rows = [s for s in rows if pattern.search(s["name"])]
            return "/servers/detail", {
                "servers": rows[: min(int(query.get("limit") or 1000), 1000)]
            }
        raise AssertionError(f"no fake for nova {method} {path}")


class _Refused:
    def __init__(self, message):
        self.message = message


def _token():
    endpoint = "http://public.nova.example.com:8774/v2"
    return {
        "methods": ["token"],
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "user": {"id": "u", "name": "admin", "domain": {"id": "default", "name": "Default"}},
        "project": {"id": "p", "name": "admin", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r", "name": "admin"}],
        "catalog": [
            {
                "type": "compute",
                "name": "nova",
                "id": "c",
                "endpoints": [
                    {"interface": "public", "region": "RegionOne", "url": endpoint, "id": "e"}
                ],
            }
        ],
    }


class PagedLightbits(FakeLightbits):
    """fakes.FakeLightbits whose volume list is served 1,000 at most per
    call, the page after ``offsetUUID`` (in UUID order), each answer after
    ``latency`` seconds (doc/source/reference/lightbits-api.md, "Delete + list")."""

    def __init__(self, answers, latency=0):
        super().__init__(answers)
        self.latency = latency
        self.volumes = sorted(answers["/api/v2/volumes"]["volumes"], key=lambda v: v["UUID"])
        self.uuids = [v["UUID"] for v in self.volumes]

    def request(self, method, url, **kwargs):
        time.sleep(self.latency)
        if not url.endswith("/api/v2/volumes"):
            return super().request(method, url, **kwargs)
        self.calls.append((method, url, kwargs))
        params = kwargs.get("params") or {}
        limit = min(int(params.get("limit") or 1000), 1000)
        start = 0
        if params.get("offsetUUID"):
            start = bisect.bisect_right(self.uuids, params["offsetUUID"])
        page = self.volumes[start : start + limit]
        resp = requests.Response()
        resp.status_code = 200
        resp._content = json.dumps({"volumes": page} if page else {}).encode()
        return resp

    def volume_pages(self):
        return sum(1 for c in self.calls if c[1].endswith("/api/v2/volumes"))


def route(cloud, lightbits):
    """requests.Session.request for a FakeCloud and a fake Lightbits cluster."""

    def request(session, method, url, **kwargs):
        if "/api/v2/" in url and "10.0.0.1" in url:
            return lightbits.request(method, url, **kwargs)
        return cloud.request(method, url, **kwargs)

    return request
