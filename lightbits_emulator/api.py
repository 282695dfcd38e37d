"""Request routing and handlers: (method, path, headers, body) -> Response.

Independent of the HTTP server so it can be read and tested on its own.
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from . import auth
from .store import PAGE_MAX, VERSION, ApiError, check_uuid

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
    (re.compile(r"/api/v2/version"), "version"),
    (re.compile(r"/api/v2/projects"), "projects"),
    (re.compile(rf"/api/v2/projects/{_SEG}"), "project_item"),
    (re.compile(rf"/api/v2/projects/{_SEG}/(volumes|snapshots)"), "collection"),
    (re.compile(rf"/api/v2/projects/{_SEG}/(volumes|snapshots)/{_SEG}"), "item"),
    # [P] volumes also have the flat form; snapshots only the project form
    (re.compile(r"/api/v2/(volumes)"), "flat_collection"),
    (re.compile(rf"/api/v2/(volumes)/{_SEG}"), "flat_item"),
    (re.compile(r"/api/v2/connectedHosts"), "hosts"),
    (re.compile(rf"/api/v2/connectedHosts/{_SEG}"), "host"),
    (re.compile(r"/_emulator/faults"), "faults"),
    (re.compile(rf"/_emulator/nodes/{_SEG}/(down|up)"), "node_state"),
    (re.compile(rf"/_emulator/volumes/{_SEG}/write"), "write"),
    (re.compile(r"/_emulator/credentials"), "credentials"),
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
        # [GW] ".../volumes/?name=X": an empty {UUID} segment, i.e. GetVolume
        query["_by_name"] = split.path.endswith("/") and path != "/"
        try:
            name, m = _route(path)
            principal = auth.verify(
                self.public_pem, headers.get("Authorization"), self.store.credentials()
            )
            if name in ("faults", "node_state", "write", "credentials", "attachment"):
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

    def _version(self, method, principal, query, body, headers):
        self._methods(method, "GET")
        return Response(200, {"apiVersion": VERSION})  # facts (2026-12): the proto's name

    def _projects(self, method, principal, query, body, headers):
        self._methods(method, "GET", "POST")
        if method == "POST":  # as `lbcli create project`
            principal.require_admin()
            return Response(200, self.store.create_project(body))
        names = [p for p in self.store.projects() if principal.admin or p in principal.projects]
        return Response(200, {"projects": [{"name": p} for p in names]})

    def _project_item(self, method, principal, query, body, headers, name):
        self._methods(method, "GET")
        principal.check(name)
        if name not in self.store.projects():
            raise ApiError(404, f"project {name!r} not found")
        return Response(200, {"name": name})

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
        # [P] CreateVolume requires projectName; ListVolumes unless cluster-admin
        if not (query.get("projectName") or body.get("projectName")):
            if write or not principal.admin:
                raise ApiError(400, "projectName is required")
        project = self._project(principal, query, body, write, required=write)
        return self._collection(method, principal, query, body, headers, project, kind)

    def _flat_item(self, method, principal, query, body, headers, kind, uid):
        write = method != "GET"
        project = self._project(principal, query, body, write, required=False)
        if project is None:  # an admin asking by UUID alone
            project = self.store.get_volume(None, check_uuid(uid))["projectName"]
        return self._item(method, principal, query, body, headers, project, kind, uid)

    def _collection(self, method, principal, query, body, headers, project, kind):
        self._methods(method, "GET", "POST")
        if project is not None:
            principal.check(project, write=method == "POST")
        vols = kind == "volumes"
        if method == "POST":
            create = self.store.create_volume if vols else self.store.create_snapshot
            return Response(200, create(project, body))
        if query["_by_name"]:
            return self._get_by_name(project, vols, query)
        # [P] ListVolumeRequest: limit default and maximum 1000, offsetUUID
        limit = min(_int(query.get("limit"), "limit") or PAGE_MAX, PAGE_MAX)
        offset = query.get("offsetUUID") or None
        if offset:
            check_uuid(offset, "offsetUUID")
        show_all = query.get("showAll", "").lower() == "true"
        if vols:
            items = self.store.list_volumes(
                project,
                limit,
                offset,
                query.get("snapshotUUID") or None,
                show_all=show_all,
                name=query.get("name") or None,
            )
        else:
            items = self.store.list_snapshots(
                project, limit, offset, query.get("sourceVolumeUUID") or None, show_all
            )
        # [GW] zero values are omitted: an empty list is {}
        return Response(200, {kind: items} if items else {})

    def _get_by_name(self, project, vols, query):
        """[CD] volumes/?name=X and snapshots/?Name=X: one object or 404."""
        name = query.get("name") if vols else query.get("Name")
        if not name:
            raise ApiError(400, "UUID or name is required")
        getter = self.store.get_volume if vols else self.store.get_snapshot
        obj = getter(project, name=name)
        return Response(200, obj, {"ETag": obj["ETag"]})

    def _item(self, method, principal, query, body, headers, project, kind, uid):
        self._methods(method, "GET", "PUT", "DELETE")
        principal.check(project, write=method != "GET")
        vols = kind == "volumes"
        if vols or method != "PUT":
            check_uuid(uid)
        if method == "GET":
            obj = (self.store.get_volume if vols else self.store.get_snapshot)(project, uid)
        elif method == "DELETE":
            if vols:
                self.store.delete_volume(project, uid, headers.get("If-Match"))
            else:
                self.store.delete_snapshot(project, uid)
            return Response(200, {})
        elif vols:
            # [P] UpdateVolumeResponse is empty
            self.store.update_volume(project, uid, body, headers.get("If-Match"))
            return Response(200, {})
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

    def _credentials(self, method, principal, query, body, headers):
        """Register an RSA public key that signs JWTs (as `lbcli create
        credential --type rsa256pubkey` does on a real cluster)."""
        self._methods(method, "GET", "POST")
        if method == "POST":
            self.store.add_credential(body.get("id"), body.get("pem"))
        return Response(200, {"credentials": sorted(self.store.credentials())})

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
