"""Request routing and handlers: (method, path, headers, body) -> Response.

Independent of the HTTP server so it can be read and tested on its own.
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from . import auth
from .store import ApiError

DROP = object()  # a handler result meaning: close the connection, answer nothing


@dataclass
class Response:
    status: int
    body: object = None  # dict/list (JSON), bytes, or None
    headers: dict = field(default_factory=dict)

    def payload(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()


_SEG = r"([^/]+)"
ROUTES = [
    (re.compile(r"/api/v2/clusterinfo"), "clusterinfo"),
    (re.compile(r"/api/v2/cluster"), "cluster"),
    (re.compile(r"/api/v2/nodes"), "nodes"),
    (re.compile(rf"/api/v2/nodes/{_SEG}"), "node"),
    (re.compile(rf"/api/v2/projects/{_SEG}/(volumes|snapshots)"), "collection"),
    (re.compile(rf"/api/v2/projects/{_SEG}/(volumes|snapshots)/{_SEG}"), "item"),
    (re.compile(r"/api/v2/(volumes|snapshots)"), "flat_collection"),
    (re.compile(rf"/api/v2/(volumes|snapshots)/{_SEG}"), "flat_item"),
    (re.compile(r"/api/v2/connectedHosts"), "hosts"),
    (re.compile(rf"/api/v2/connectedHosts/{_SEG}"), "host"),
    (re.compile(r"/_emulator/faults"), "faults"),
    (re.compile(rf"/_emulator/nodes/{_SEG}/(down|up)"), "node_state"),
    (re.compile(rf"/_emulator/volumes/{_SEG}/write"), "write"),
    (re.compile(rf"/_emulator/volumes/{_SEG}/(attach|detach)"), "attachment"),
]


class Api:
    def __init__(self, store, faults, public_pem):
        self.store = store
        self.faults = faults
        self.public_pem = public_pem

    # ------------------------------------------------------------ entry point
    def handle(self, method, target, headers, raw_body):
        """Answer one request. ``headers`` is a case-insensitive mapping."""
        split = urlsplit(target)
        path = split.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        try:
            name, m = _route(path)
            principal = auth.verify(self.public_pem, headers.get("Authorization"))
            if name in ("faults", "node_state", "write", "attachment"):
                principal.require_admin()
            body = self._json(raw_body) if method in ("POST", "PUT") else {}
            args = [unquote(g) for g in m.groups()]
            handler = getattr(self, f"_{name}")
            with self.store.lock:
                self.store.advance()
                resp = handler(method, principal, query, body, headers, *args)
                resp.body = resp.payload()  # serialize before another thread changes it
                return resp
        except auth.AuthError as exc:
            return Response(exc.status, ApiError(exc.status, exc.message).body())
        except ApiError as exc:
            return Response(exc.status, exc.body())

    @staticmethod
    def _json(raw):
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"malformed JSON body: {exc}")
        if not isinstance(body, dict):
            raise ApiError(400, "the JSON body must be an object")
        return body

    @staticmethod
    def _methods(method, *allowed):
        if method not in allowed:
            raise ApiError(405, f"method {method} not allowed here")

    # ---------------------------------------------------------------- cluster
    def _clusterinfo(self, method, principal, query, body, headers):
        self._methods(method, "GET")
        return Response(200, self.store.cluster_info())

    def _cluster(self, method, principal, query, body, headers):
        self._methods(method, "GET")
        principal.require_admin()
        return Response(200, self.store.cluster())

    def _nodes(self, method, principal, query, body, headers):
        self._methods(method, "GET")
        return Response(200, {"nodes": self.store.nodes})

    def _node(self, method, principal, query, body, headers, key):
        self._methods(method, "GET")
        return Response(200, self.store.node(key))

    def _hosts(self, method, principal, query, body, headers):
        self._methods(method, "GET")
        principal.require_admin()
        return Response(200, {"connectedHosts": self.store.connected_hosts()})

    def _host(self, method, principal, query, body, headers, nqn):
        self._methods(method, "GET")
        principal.require_admin()
        for host in self.store.connected_hosts():
            if host["hostNQN"] == nqn:
                return Response(200, host)
        raise ApiError(404, "host not connected")

    # ------------------------------------------------- volumes and snapshots
    def _project(self, principal, query, body, write, required):
        project = query.get("projectName") or body.get("projectName")
        if not project:
            if not principal.admin:
                project = principal.default_project
            elif required:
                project = "default"
        if project is not None:
            principal.check(project, write=write)
        return project

    def _flat_collection(self, method, principal, query, body, headers, kind):
        write = method != "GET"
        project = self._project(principal, query, body, write, required=write)
        return self._collection(method, principal, query, body, headers, project, kind)

    def _flat_item(self, method, principal, query, body, headers, kind, uid):
        write = method != "GET"
        project = self._project(principal, query, body, write, required=False)
        if project is None:  # an admin asking by UUID alone
            getter = self.store.get_volume if kind == "volumes" else self.store.get_snapshot
            project = getter(None, uid)["projectName"]
        return self._item(method, principal, query, body, headers, project, kind, uid)

    def _collection(self, method, principal, query, body, headers, project, kind):
        self._methods(method, "GET", "POST")
        if project is not None:
            principal.check(project, write=method == "POST")
        vols = kind == "volumes"
        if method == "POST":
            create = self.store.create_volume if vols else self.store.create_snapshot
            return Response(200, create(project, body))
        name = query.get("name") or (None if vols else query.get("Name"))
        if name:
            getter = self.store.get_volume if vols else self.store.get_snapshot
            obj = getter(project, name=name)
            return Response(200, obj, {"ETag": obj["ETag"]})
        limit = _int(query.get("limit"), "limit")
        offset = query.get("offsetUUID") or None
        if vols:
            items = self.store.list_volumes(
                project, limit, offset, query.get("snapshotUUID") or None
            )
        else:
            items = self.store.list_snapshots(
                project, limit, offset, query.get("sourceVolumeUUID") or None
            )
        return Response(200, {kind: items})

    def _item(self, method, principal, query, body, headers, project, kind, uid):
        self._methods(method, "GET", "PUT", "DELETE")
        principal.check(project, write=method != "GET")
        vols = kind == "volumes"
        if method == "GET":
            obj = (self.store.get_volume if vols else self.store.get_snapshot)(project, uid)
        elif method == "DELETE":
            obj = (self.store.delete_volume if vols else self.store.delete_snapshot)(project, uid)
            return Response(200, {})
        elif vols:
            obj = self.store.update_volume(project, uid, body, headers.get("If-Match"))
        else:
            raise ApiError(405, "snapshots cannot be updated")
        return Response(200, obj, {"ETag": obj["ETag"]})

    # -------------------------------------------------- emulator admin routes
    def _faults(self, method, principal, query, body, headers):
        self._methods(method, "GET", "POST", "DELETE")
        if method == "POST":
            rule = self.faults.add(body)
            return Response(200, {k: v for k, v in rule.items() if not k.startswith("_")})
        if method == "DELETE":
            self.faults.clear()
        return Response(200, {"faults": self.faults.list()})

    def _node_state(self, method, principal, query, body, headers, key, action):
        self._methods(method, "POST")
        return Response(200, self.store.set_node_state(key, up=action == "up"))

    def _write(self, method, principal, query, body, headers, uid):
        self._methods(method, "POST")
        nbytes = body.get("bytes")
        if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 0:
            raise ApiError(400, "bytes must be a non-negative integer")
        return Response(200, self.store.write(uid, nbytes))

    def _attachment(self, method, principal, query, body, headers, uid, action):
        self._methods(method, "POST")
        if not self.store.data:
            raise ApiError(501, "this emulator keeps no volume data (--memory)")
        return Response(200, self.store.data.handle(self.store, uid, action, body))


def _route(path):
    for regex, name in ROUTES:
        m = regex.fullmatch(path)
        if m:
            return name, m
    raise ApiError(404, f"no such endpoint {path}")


def _int(value, name):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer")
    if number < 0:
        raise ApiError(400, f"{name} must not be negative")
    return number
