"""The cluster's state: nodes, volumes, snapshots, and their rules.

Objects are kept as ready-to-serve dicts in the JSON shape of the REST API v2
(uint64 values such as sizes are JSON strings, as grpc-gateway renders them;
uint32 values such as nsid and replicaCount are numbers), indexed by UUID and
by (project, name), so lists and look-ups stay fast with many thousands of
volumes. Internal bookkeeping (written bytes, owning project order) lives
beside them. Every mutation is written through to SQLite unless in memory.

Asynchronous transitions (Creating -> Available/Failed, Updating -> Available,
Deleting -> gone) are due at a time; ``advance()`` applies the due ones and is
called before every request, so no background thread is needed.
"""

import bisect
import datetime
import heapq
import ipaddress
import itertools
import json
import re
import sqlite3
import threading
import time
import uuid

GIB = 1024**3
NODE_CAPACITY = 4 * 1024 * GIB  # managed physical storage per node
ACL_MARKERS = ("ALLOW_NONE", "ALLOW_ANY")
# [P] CreateVolumeRequest/CreateSnapshotRequest: ^[a-zA-Z0-9-_\.]{1,253}$
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,253}$")
_SIZE_RE = re.compile(r"^\s*(\d+)\s*(b|[kmgtp]i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
VERSION = "3.12.1-emulator"
DEFAULT_PROJECT = "default"  # a cluster's project from the start
# Seconds a Failed volume stays listed before the cluster removes it (a
# choice: the sources only say its DELETE is refused).
FAILED_LINGER = 1.0
BLOCK = 4096  # [PVE] "Lightbits wants bytes, must be 4096-aligned"
UINT64_MAX = 2**64 - 1
PAGE_MAX = 1000  # [P] ListVolumeRequest: limit default and maximum
MAX_LABELS = 16
COMPRESSION = {"true": True, "enable": True, "enabled": True}
COMPRESSION.update({"false": False, "disable": False, "disabled": False})
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class ApiError(Exception):
    """An error answer: HTTP status, grpc code, message."""

    GRPC = {400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 409: 6, 412: 9, 500: 13, 501: 12, 503: 14}

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self):
        return {"code": self.GRPC.get(self.status, 2), "message": self.message, "details": []}


def parse_size(value):
    """Bytes from the string forms clients send ([P] size is a string):
    "N gib" (Cinder), a byte count (Proxmox), "<bytes>b" (los-csi); 4 KiB
    aligned, positive, within uint64. A JSON number is refused."""
    if isinstance(value, str):
        m = _SIZE_RE.match(value)
        if not m:
            raise ApiError(400, f"invalid size {value!r}")
        size, unit = int(m.group(1)), (m.group(2) or "b").lower()
        if unit != "b":
            # "gib"/"g" are binary units; "gb" is decimal, as lbcli reads them.
            base = 1000 if unit.endswith("b") and "i" not in unit else 1024
            size *= base ** _UNITS[unit[0]]
    else:
        raise ApiError(400, "invalid size: a string such as '10 gib' or a byte count")
    if size <= 0:
        raise ApiError(400, "size must be positive")
    if size > UINT64_MAX:
        raise ApiError(400, "size out of range")
    if size % BLOCK:
        raise ApiError(400, f"size must be a multiple of {BLOCK} bytes")
    return size


def parse_compression(value):
    """[P] compression string: true/enable/enabled/false/disable/disabled."""
    if isinstance(value, str) and value.lower() in COMPRESSION:
        return COMPRESSION[value.lower()]
    raise ApiError(400, "compression must be one of " + "/".join(COMPRESSION))


def parse_replicas(value):
    """[P] replicaCount 1..3, a number or (Cinder) a numeric string."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ApiError(400, "replicaCount must be an integer")
    try:
        replicas = int(value)
    except ValueError:
        raise ApiError(400, "replicaCount must be an integer")
    if not 1 <= replicas <= 3:
        raise ApiError(400, "replicaCount must be 1, 2 or 3")
    return replicas


def parse_labels(value):
    """[P] labels: at most 16 {key, value} pairs."""
    if value in (None, []):
        return []
    if not isinstance(value, list) or not all(
        isinstance(lb, dict) and isinstance(lb.get("key"), str) and lb["key"] for lb in value
    ):
        raise ApiError(400, "labels must be a list of {key, value}")
    if len(value) > MAX_LABELS:
        raise ApiError(400, f"at most {MAX_LABELS} labels")
    return [{"key": lb["key"], "value": str(lb.get("value") or "")} for lb in value]


def check_uuid(value, what="UUID"):
    """[P] DeleteVolume and friends: 400 for a malformed UUID."""
    if not UUID_RE.match(value or ""):
        raise ApiError(400, f"invalid {what} {value!r}")
    return value


def _check_ip(entry):
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise ApiError(400, f"IPAcl: {entry!r} is not an IP address")


def parse_acl(value, field, default):
    if value is None:
        return list(default)
    if not isinstance(value, dict):
        raise ApiError(400, f"{field} must be an object with 'values'")
    values = value.get("values")
    if values is None:
        return list(default)
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ApiError(400, f"{field}.values must be a list of strings")
    if not values:  # facts (2026-12): "no host" is spelled ALLOW_NONE
        raise ApiError(400, f"{field}: an empty list is not a valid ACL (use ALLOW_NONE)")
    markers = [v for v in values if v in ACL_MARKERS]
    if markers and len(values) > 1:
        raise ApiError(400, f"{field}: {markers[0]} cannot be combined with other entries")
    if field == "IPAcl" and not markers:
        for entry in values:
            _check_ip(entry)
    return list(dict.fromkeys(values))


def _truthy(value):
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _now_iso():
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _etag():
    return uuid.uuid4().hex[:16]


class Store:
    def __init__(
        self, db_path=None, nodes=3, create_delay=0.2, delete_delay=0.2, port=None, data=None
    ):
        self.lock = threading.RLock()
        self.data = data  # data.VolumeData: the volumes' bytes, or None
        self.create_delay = create_delay
        self.delete_delay = delete_delay
        self.volumes = {}  # uuid -> api dict
        self.vol_names = {}  # (project, name) -> uuid
        self.vol_order = []  # every volume UUID, sorted: lists page by UUID
        self.proj_vols = {}  # project -> its volume UUIDs, sorted
        self.node_load = {}  # node UUID -> replicas placed there
        self.extra = {}  # uuid -> internal data: {"written", "inherited"} or {"data"}
        self.snapshots = {}
        self.snap_names = {}
        self.snap_order = []
        self.proj_snaps = {}
        self.fail_create = []  # [{"name": regex, "times": n or None}]
        self._pending = []  # heap of (due, seq, kind, uuid)
        self._seq = itertools.count()
        self.api_endpoints = [f"127.0.0.1:{port}"] if port else []
        self._db = None
        if db_path:
            self._db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS objects (uuid TEXT PRIMARY KEY, kind TEXT, body TEXT)"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.meta = self._load_meta()
        self.meta.setdefault("clusterUUID", str(uuid.uuid4()))
        self.meta.setdefault("nextNSID", 1)
        self.meta.setdefault("projects", {DEFAULT_PROJECT: ""})  # name -> description
        if "nodes" not in self.meta:
            self.meta["nodes"] = [self._new_node(i) for i in range(nodes)]
        self._save_meta()
        self.nodes = self.meta["nodes"]
        for node in self.nodes:  # states saved by older emulators
            if not isinstance(node.get("localRebuildProgress"), int):
                node["localRebuildProgress"] = 0
            node.setdefault("inLocalRebuild", False)
            node.setdefault("ETag", _etag())
        self._load_objects()
        for project in set(self.proj_vols) | set(self.proj_snaps):  # states of older emulators
            self.meta["projects"].setdefault(project, "")
        self._save_meta()

    # ----------------------------------------------------------- persistence
    def _load_meta(self):
        if not self._db:
            return {}
        return {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}

    def _save_meta(self):
        if self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in self.meta.items()],
            )

    def _persist(self, kind, obj):
        if self._db:
            extra = self.extra.get(obj["UUID"], {})
            # an upsert keeps the rowid, so a restart lists in creation order
            self._db.execute(
                "INSERT INTO objects (uuid, kind, body) VALUES (?, ?, ?)"
                " ON CONFLICT(uuid) DO UPDATE SET body = excluded.body",
                (obj["UUID"], kind, json.dumps([obj, extra])),
            )

    def _unpersist(self, uid):
        if self._db:
            self._db.execute("DELETE FROM objects WHERE uuid = ?", (uid,))

    def _load_objects(self):
        if not self._db:
            return
        rows = self._db.execute("SELECT kind, body FROM objects ORDER BY rowid")
        for kind, body in rows:
            obj, extra = json.loads(body)
            self.extra[obj["UUID"]] = extra
            if kind == "volume":
                self._index_volume(obj)
            else:
                self._index_snapshot(obj)
        # Transitions that were in flight when the emulator stopped complete now.
        for vol in list(self.volumes.values()):
            self._finish(vol, "volume")
        for snap in list(self.snapshots.values()):
            self._finish(snap, "snapshot")
        self.refresh_protection()

    def _finish(self, obj, kind):
        if obj["state"] in ("Creating", "Updating"):
            obj["state"] = "Available"
            if kind == "volume":
                obj["protectionState"] = self.protection_of(obj["nodeList"], self._up_nodes())
            self._persist(kind, obj)
        elif obj["state"] == "Deleting" or (kind == "volume" and obj["state"] == "Failed"):
            (self._drop_volume if kind == "volume" else self._drop_snapshot)(obj["UUID"])

    def reset(self):
        """Forget every volume and snapshot; all nodes healthy again."""
        with self.lock:
            for uid in list(self.volumes):
                self._drop_volume(uid)
            for uid in list(self.snapshots):
                self._drop_snapshot(uid)
            self._pending.clear()
            self.meta.pop("credentials", None)
            self.meta["projects"] = {DEFAULT_PROJECT: ""}
            for node in self.nodes:
                node["state"] = "Active"
            self._save_meta()

    # ----------------------------------------------------------------- nodes
    def _new_node(self, i):
        return {
            "name": f"server{i:02d}-0",
            "UUID": str(uuid.uuid4()),
            "serverUUID": str(uuid.uuid4()),
            "hostname": f"server{i:02d}",
            "state": "Active",
            "nvmeEndpoint": f"127.0.0.{i + 1}:4420",
            "dataEndpoint": f"127.0.0.{i + 1}:4420",
            "failureDomains": [f"server{i:02d}"],
            "inLocalRebuild": False,
            "localRebuildProgress": 0,  # [P] DurosNodeInfo: uint32, a number
            "ETag": _etag(),
        }

    def node(self, key):
        for node in self.nodes:
            if key in (node["name"], node["UUID"]):
                return node
        raise ApiError(404, f"node {key!r} not found")

    def set_node_state(self, key, up):
        with self.lock:
            node = self.node(key)
            node["state"] = "Active" if up else "Inactive"
            node["ETag"] = _etag()
            self._save_meta()
            self.refresh_protection()
            return node

    def _up_nodes(self):
        return {n["UUID"] for n in self.nodes if n["state"] == "Active"}

    def protection_of(self, node_list, up):
        alive = sum(1 for n in node_list if n in up)
        if alive == len(node_list):
            return "FullyProtected"
        return "NotAvailable" if alive == 0 else "Degraded"

    def refresh_protection(self):
        up = self._up_nodes()
        for vol in self.volumes.values():
            if vol["state"] == "Creating":
                continue
            state = self.protection_of(vol["nodeList"], up)
            if state != vol["protectionState"]:
                vol["protectionState"] = state
                vol["rebuildProgress"] = "None" if state == "FullyProtected" else "0"
                vol["ETag"] = _etag()
                self._persist("volume", vol)

    def _place(self, count):
        if count > len(self.nodes):
            raise ApiError(400, f"replicaCount {count} exceeds the {len(self.nodes)} nodes")
        up = self._up_nodes()
        load = self.node_load
        order = sorted(self.nodes, key=lambda n: (n["UUID"] not in up, load.get(n["UUID"], 0)))
        return [n["UUID"] for n in order[:count]]

    # ----------------------------------------------------------- transitions
    def _schedule(self, delay, kind, uid):
        heapq.heappush(self._pending, (time.monotonic() + delay, next(self._seq), kind, uid))

    def advance(self):
        """Apply every transition whose time has come."""
        now = time.monotonic()
        while self._pending and self._pending[0][0] <= now:
            _, _, kind, uid = heapq.heappop(self._pending)
            if kind in ("vol_ready", "vol_failed", "vol_updated"):
                vol = self.volumes.get(uid)
                if vol and vol["state"] in ("Creating", "Updating"):
                    vol["state"] = "Failed" if kind == "vol_failed" else "Available"
                    vol["protectionState"] = self.protection_of(vol["nodeList"], self._up_nodes())
                    vol["ETag"] = _etag()
                    self._persist("volume", vol)
                    if kind == "vol_failed":
                        self._schedule(FAILED_LINGER, "vol_failed_gone", uid)
            elif kind == "vol_failed_gone":
                vol = self.volumes.get(uid)
                if vol and vol["state"] == "Failed":
                    self._drop_volume(uid)
            elif kind == "vol_gone":
                self._drop_volume(uid)
            elif kind == "snap_ready":
                snap = self.snapshots.get(uid)
                if snap and snap["state"] == "Creating":
                    snap["state"] = "Available"
                    snap["ETag"] = _etag()
                    self._persist("snapshot", snap)
            elif kind == "snap_gone":
                self._drop_snapshot(uid)

    # --------------------------------------------------------------- volumes
    def _index_volume(self, vol):
        self.volumes[vol["UUID"]] = vol
        if vol["state"] != "Deleting":
            self.vol_names[(vol["projectName"], vol["name"])] = vol["UUID"]
        bisect.insort(self.vol_order, vol["UUID"])
        bisect.insort(self.proj_vols.setdefault(vol["projectName"], []), vol["UUID"])
        for node in vol["nodeList"]:
            self.node_load[node] = self.node_load.get(node, 0) + 1

    def _drop_volume(self, uid):
        vol = self.volumes.pop(uid, None)
        if vol:
            _unname(self.vol_names, vol)
            _remove(self.vol_order, uid)
            _remove(self.proj_vols.get(vol["projectName"], []), uid)
            for node in vol["nodeList"]:
                self.node_load[node] -= 1
            self.extra.pop(uid, None)
            self._unpersist(uid)
            if self.data:
                self.data.delete(uid)

    def get_volume(self, project, uid=None, name=None):
        if name is not None:
            uid = self.vol_names.get((project, name))
        vol = self.volumes.get(uid) if uid else None
        if vol is None or (project is not None and vol["projectName"] != project):
            what = f"name {name!r}" if name is not None else f"UUID {uid!r}"
            raise ApiError(404, f"volume with {what} not found")
        return vol

    def list_volumes(
        self,
        project=None,
        limit=None,
        offset_uuid=None,
        snapshot_uuid=None,
        show_all=True,
        name=None,
    ):
        """Volumes in UUID order, those after ``offset_uuid``; the API passes
        show_all=False ([P] ListVolumes hides Deleting volumes)."""
        order = self.vol_order if project is None else self.proj_vols.get(project, [])

        def keep(v):
            return (
                (show_all or v["state"] != "Deleting")
                and (not snapshot_uuid or v["sourceSnapshotUUID"] == snapshot_uuid)
                and (name is None or v["name"] == name)
            )

        return _page(order, self.volumes, keep, limit, offset_uuid)

    def _take_fail_create(self, name):
        for rule in self.fail_create:
            if re.search(rule["name"], name):
                if rule["times"] is not None:
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        self.fail_create.remove(rule)
                return True
        return False

    def create_volume(self, project, body):
        self._check_project(project)
        name = body.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ApiError(400, "name is required: 1-253 of letters, digits, '_.-'")
        for required in ("size", "acl", "replicaCount"):
            if body.get(required) in (None, ""):
                raise ApiError(400, f"{required} is required")
        size = parse_size(body["size"])
        replicas = parse_replicas(body["replicaCount"])
        compression = body.get("compression")
        compression = False if compression in (None, "") else parse_compression(compression)
        labels = parse_labels(body.get("labels"))
        acl = parse_acl(body.get("acl"), "acl", ["ALLOW_NONE"])
        ipacl = parse_acl(body.get("IPAcl"), "IPAcl", ["ALLOW_ANY"])
        qos = body.get("qosPolicyUUID")
        if qos is not None and not isinstance(qos, str):
            raise ApiError(400, "qosPolicyUUID must be a string")
        source = None
        snap_uuid, snap_name = body.get("sourceSnapshotUUID"), body.get("sourceSnapshotName")
        if snap_uuid or snap_name:
            try:
                source = self.get_snapshot(project, uid=snap_uuid or None, name=snap_name)
            except ApiError:
                raise ApiError(400, "source snapshot not found")
            if snap_uuid and snap_name and source["name"] != snap_name:
                raise ApiError(400, "sourceSnapshotUUID and sourceSnapshotName disagree")
            if source["state"] != "Available":
                raise ApiError(400, f"source snapshot is {source['state']}")
            if size < int(source["size"]):
                raise ApiError(400, "a clone cannot be smaller than its source snapshot")
        if (project, name) in self.vol_names:
            raise ApiError(409, f"volume {name!r} already exists in project {project!r}")
        uid = str(uuid.uuid4())
        node_list = self._place(replicas)
        nsid = self.meta["nextNSID"]
        self.meta["nextNSID"] = nsid + 1
        self._save_meta()
        vol = {
            "UUID": uid,
            "name": name,
            "projectName": project,
            "state": "Creating",
            "protectionState": "Unknown",  # [P] ProtectionStateEnum: Unknown while Creating
            "replicaCount": replicas,
            "nodeList": node_list,
            "nsid": nsid,
            "size": str(size),
            "compression": "true" if compression else "false",
            "acl": {"values": acl},
            "IPAcl": {"values": ipacl},
            "connectedHosts": [],
            "rebuildProgress": "None",
            "sourceSnapshotUUID": source["UUID"] if source else "",
            "sourceSnapshotName": source["name"] if source else "",
            "qosPolicyUUID": qos or "",
            "labels": labels,
            "creationTime": _now_iso(),
            "ETag": _etag(),
            "statistics": {},
        }
        # A clone shares its source's blocks: nothing written of its own yet.
        inherited = self.extra.get(source["UUID"], {}).get("data", 0) if source else 0
        self.extra[uid] = {"written": 0, "inherited": inherited}
        self._set_statistics(vol)
        self._index_volume(vol)
        if self.data:
            self.data.create(uid, size, source["UUID"] if source else None)
        self._sync_connected(vol)
        self._persist("volume", vol)
        failed = self._take_fail_create(name)
        self._schedule(self.create_delay, "vol_failed" if failed else "vol_ready", uid)
        return vol

    def _set_statistics(self, vol):
        extra = self.extra.get(vol["UUID"], {})
        own = extra.get("written", 0)
        logical = min(int(vol["size"]), own + extra.get("inherited", 0))
        vol["statistics"] = {
            "logicalUsedStorage": str(logical),
            "physicalUsedStorage": str(own),
            "compressionRatio": 1.0,
        }

    def _sync_connected(self, vol):
        vol["connectedHosts"] = [v for v in vol["acl"]["values"] if v not in ACL_MARKERS]

    def _check_busy(self, obj, what):
        """[P] 503 while Creating/Updating, 400 while Deleting or Failed."""
        if obj["state"] in ("Creating", "Updating"):
            raise ApiError(503, f"{what} is {obj['state']}, try again later")
        if obj["state"] in ("Deleting", "Failed"):
            raise ApiError(400, f"{what} is {obj['state']}")

    def update_volume(self, project, uid, body, if_match):
        """[P] UpdateVolume: unknown fields ignored ([GW]); path UUID wins."""
        vol = self.get_volume(project, uid)
        if if_match and if_match not in ("*", vol["ETag"]):
            # [CSI] FailedPrecondition, which grpc-gateway v1 maps to 400
            raise ApiError(400, "ETag mismatch: the volume changed since it was read")
        self._check_busy(vol, "volume")
        changes = {}
        if body.get("size") not in (None, ""):
            size = parse_size(body["size"])
            if size < int(vol["size"]) and not _truthy(body.get("Force")):
                raise ApiError(400, "a volume shrinks only with Force")
            changes["size"] = str(size)
        for field, default in (("acl", ["ALLOW_NONE"]), ("IPAcl", ["ALLOW_ANY"])):
            value = body.get(field)
            # Cinder sends {"values": null} for the ACL it does not change
            if value is not None and not (isinstance(value, dict) and value.get("values") is None):
                changes[field] = {"values": parse_acl(value, field, default)}
        if body.get("compression") not in (None, ""):
            on = parse_compression(body["compression"])
            changes["compression"] = "true" if on else "false"
        if body.get("labels") is not None:
            changes["labels"] = parse_labels(body["labels"])
        for field in ("qosPolicyUUID", "qosPolicyName"):
            if body.get(field) is not None:
                if not isinstance(body[field], str):
                    raise ApiError(400, f"{field} must be a string")
                changes[field] = body[field]
        new_name = body.get("newName")
        if new_name not in (None, "", vol["name"]):
            if not isinstance(new_name, str) or not NAME_RE.match(new_name):
                raise ApiError(400, "newName: 1-253 of letters, digits, '_.-'")
            if (project, new_name) in self.vol_names:
                raise ApiError(409, "A volume with the provided name already exists")
            _unname(self.vol_names, vol)
            changes["name"] = new_name
            self.vol_names[(vol["projectName"], new_name)] = uid
        if not changes:
            return vol  # nothing to change: answered {} like any update
        vol.update(changes)
        if self.data and "size" in changes:
            self.data.extend(uid, changes["size"])
        self._sync_connected(vol)
        self._set_statistics(vol)
        vol["state"] = "Updating"
        vol["ETag"] = _etag()
        self._persist("volume", vol)
        self._schedule(self.create_delay / 2, "vol_updated", uid)
        return vol

    def delete_volume(self, project, uid, if_match=None):
        """[P] DeleteVolume: 400 for a Deleting or Failed volume (facts,
        2026-12); the cluster removes a Failed volume itself (FAILED_LINGER)."""
        vol = self.get_volume(project, uid)
        if if_match and if_match not in ("*", vol["ETag"]):
            raise ApiError(400, "ETag mismatch: the volume changed since it was read")
        if vol["state"] == "Failed":
            raise ApiError(400, "volume is Failed: the cluster removes it")
        self._check_busy(vol, "volume")
        vol["state"] = "Deleting"
        vol["ETag"] = _etag()
        _unname(self.vol_names, vol)  # [P] the name is free once Deleting
        self._persist("volume", vol)
        self._schedule(self.delete_delay, "vol_gone", uid)
        return vol

    def write(self, uid, nbytes):
        """Pretend a host wrote ``nbytes`` of new data into the volume."""
        vol = self.get_volume(None, uid)
        extra = self.extra.setdefault(uid, {"written": 0, "inherited": 0})
        room = int(vol["size"]) - extra.get("inherited", 0)
        extra["written"] = max(0, min(room, extra.get("written", 0) + int(nbytes)))
        self._set_statistics(vol)
        vol["ETag"] = _etag()
        self._persist("volume", vol)
        return vol

    # ------------------------------------------------------------- snapshots
    def _index_snapshot(self, snap):
        self.snapshots[snap["UUID"]] = snap
        if snap["state"] != "Deleting":
            self.snap_names[(snap["projectName"], snap["name"])] = snap["UUID"]
        bisect.insort(self.snap_order, snap["UUID"])
        bisect.insort(self.proj_snaps.setdefault(snap["projectName"], []), snap["UUID"])

    def _drop_snapshot(self, uid):
        snap = self.snapshots.pop(uid, None)
        if snap:
            _unname(self.snap_names, snap)
            _remove(self.snap_order, uid)
            _remove(self.proj_snaps.get(snap["projectName"], []), uid)
            self._unpersist(uid)
            if self.data:
                self.data.delete(uid)

    def get_snapshot(self, project, uid=None, name=None):
        if name is not None and not uid:
            uid = self.snap_names.get((project, name))
        snap = self.snapshots.get(uid) if uid else None
        if snap is None or (project is not None and snap["projectName"] != project):
            what = f"name {name!r}" if name is not None else f"UUID {uid!r}"
            raise ApiError(404, f"snapshot with {what} not found")
        return snap

    def list_snapshots(
        self, project=None, limit=None, offset_uuid=None, volume_uuid=None, show_all=True
    ):
        order = self.snap_order if project is None else self.proj_snaps.get(project, [])

        def keep(s):
            return (show_all or s["state"] != "Deleting") and (
                not volume_uuid or s["sourceVolumeUUID"] == volume_uuid
            )

        return _page(order, self.snapshots, keep, limit, offset_uuid)

    def create_snapshot(self, project, body):
        name = body.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ApiError(400, "name is required: 1-253 of letters, digits, '_.-'")
        vol_uuid, vol_name = body.get("sourceVolumeUUID"), body.get("sourceVolumeName")
        if not (vol_uuid or vol_name):
            raise ApiError(400, "sourceVolumeUUID or sourceVolumeName is required")
        try:
            # facts (2026-12): given both, the UUID wins (the name is not checked)
            if vol_uuid:
                vol = self.get_volume(project, uid=vol_uuid)
            else:
                vol = self.get_volume(project, name=vol_name)
        except ApiError:
            raise ApiError(404, "source volume not found")  # [P] CreateSnapshot 404
        if vol["state"] not in ("Available", "Updating"):
            raise ApiError(400, f"source volume is {vol['state']}")
        if (project, name) in self.snap_names:
            raise ApiError(409, f"snapshot {name!r} already exists in project {project!r}")
        uid = str(uuid.uuid4())
        snap = {
            "UUID": uid,
            "name": name,
            "projectName": project,
            "state": "Creating",
            "sourceVolumeUUID": vol["UUID"],
            "sourceVolumeName": vol["name"],
            "size": vol["size"],
            "replicaCount": vol["replicaCount"],
            "nodeList": list(vol["nodeList"]),
            "compression": vol["compression"] == "true",  # [P] Snapshot.compression bool
            "creationTime": _now_iso(),
            "description": str(body.get("description") or ""),
            "ETag": _etag(),
        }
        self.extra[uid] = {"data": int(vol["statistics"]["logicalUsedStorage"])}
        self._index_snapshot(snap)
        if self.data:
            self.data.snapshot(vol["UUID"], uid)
        self._persist("snapshot", snap)
        self._schedule(self.create_delay, "snap_ready", uid)
        return snap

    def delete_snapshot(self, project, uid):
        snap = self.get_snapshot(project, uid)
        if snap["state"] == "Creating":
            raise ApiError(503, "snapshot is Creating, try again later")  # [P]
        if snap["state"] != "Deleting":
            snap["state"] = "Deleting"
            snap["ETag"] = _etag()
            _unname(self.snap_names, snap)
            self._persist("snapshot", snap)
            self._schedule(self.delete_delay, "snap_gone", uid)
        return snap

    # --------------------------------------------------------------- cluster
    def cluster_info(self):
        """[P] ClusterInfoV2, what /clusterinfo serves (tenants may read it)."""
        return {
            "UUID": self.meta["clusterUUID"],
            "subsystemNQN": "nqn.2016-01.com.lightbitslabs:uuid:" + self.meta["clusterUUID"],
            "currentMaxReplicas": min(3, len(self.nodes)),
            "supportedMaxReplicas": 3,
            "ETag": self.meta["clusterUUID"][:16],
            "apiEndpoints": self.api_endpoints,
            "discoveryEndpoints": [n["nvmeEndpoint"].split(":")[0] + ":8009" for n in self.nodes],
            "nvmeEndpoints": [n["nvmeEndpoint"] for n in self.nodes],
            "clusterName": "emulator",
        }

    def cluster(self):
        """[P] ClusterInfo, what /cluster serves: + versions, health, statistics."""
        info = self.cluster_info()
        del info["nvmeEndpoints"], info["clusterName"]
        info.update(
            minVersionInCluster=VERSION,
            minAllowedVersion=VERSION,
            maxAllowedVersion=VERSION,
        )
        counts = {"Degraded": 0, "NotAvailable": 0, "ReadOnly": 0}
        logical = logical_used = physical = 0
        for vol in self.volumes.values():
            counts[vol["protectionState"]] = counts.get(vol["protectionState"], 0) + 1
            logical += int(vol["size"])
            logical_used += int(vol["statistics"]["logicalUsedStorage"])
            physical += int(vol["statistics"]["physicalUsedStorage"]) * vol["replicaCount"]
        inactive = sum(1 for n in self.nodes if n["state"] != "Active")
        managed = NODE_CAPACITY * len(self.nodes)
        free = max(0, managed - physical)
        ratio = round(logical_used / physical, 3) if physical else 1.0
        info["health"] = {
            "state": _health(
                inactive, len(self.nodes), counts
            ),  # [P] ClusterHealth None/OK/Warning/Error
            "numDegradedVolumes": counts["Degraded"],
            "numNotAvailableVolumes": counts["NotAvailable"],
            "numReadOnlyVolumes": counts["ReadOnly"],
            "numInactiveNodes": inactive,
        }
        info["statistics"] = {
            "installedPhysicalStorage": str(managed * 10 // 9),
            "managedPhysicalStorage": str(managed),
            "effectivePhysicalStorage": str(managed),
            "logicalStorage": str(logical),
            "logicalUsedStorage": str(logical_used),
            "physicalUsedStorage": str(physical),
            "physicalUsedStorageIncludingParity": str(physical),
            "freePhysicalStorage": str(free),
            "estimatedFreeLogicalStorage": str(free),
            "estimatedLogicalStorage": str(managed),
            "compressionRatio": ratio,
        }
        return info

    def projects(self):
        """The projects created (``default`` is there from the start)."""
        return sorted(self.meta["projects"])

    def create_project(self, body):
        """As ``lbcli create project``: volumes go only into created projects."""
        name = body.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ApiError(400, "name is required: 1-253 of letters, digits, '_.-'")
        if name in self.meta["projects"]:
            raise ApiError(409, f"project {name!r} already exists")
        self.meta["projects"][name] = str(body.get("description") or "")
        self._save_meta()
        return {"name": name, "description": self.meta["projects"][name]}

    def _check_project(self, project):
        # facts (2026-12): never created implicitly, also for a cluster admin
        if project not in self.meta["projects"]:
            raise ApiError(404, f"project {project!r} not found: create it first")

    def credentials(self):
        """Key id -> RSA public key PEM of the JWT signers registered."""
        return self.meta.get("credentials", {})

    def add_credential(self, key_id, pem):
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        if not isinstance(key_id, str) or not key_id or not isinstance(pem, str):
            raise ApiError(400, "id and pem (an RSA public key) are required")
        try:
            key = load_pem_public_key(pem.encode())
        except ValueError:
            raise ApiError(400, "pem is not a public key")
        if not isinstance(key, rsa.RSAPublicKey):
            raise ApiError(400, "only RSA keys (rsa256pubkey) are accepted")
        self.meta.setdefault("credentials", {})[key_id] = pem
        self._save_meta()

    def connected_hosts(self):
        hosts = {}
        for vol in self.volumes.values():
            for nqn in vol["connectedHosts"]:
                hosts.setdefault(nqn, []).append(vol["UUID"])
        return [
            {"hostNQN": nqn, "volumes": vols, "connectionsCount": len(vols)}
            for nqn, vols in sorted(hosts.items())
        ]


def _page(order, objects, keep, limit, offset_uuid):
    """Up to ``limit`` kept objects whose UUID sorts after ``offset_uuid``
    (which need not exist any more: a page boundary survives a delete)."""
    start = bisect.bisect_right(order, offset_uuid) if offset_uuid else 0
    items = (objects[u] for u in itertools.islice(order, start, None))
    items = (o for o in items if keep(o))
    if limit:
        return list(itertools.islice(items, limit))
    return list(items)


def _health(inactive, nodes, counts):
    """[P] ClusterHealth; facts (2026-12): Inactive node(s) and/or degraded
    volumes are a Warning, Error is a cluster that cannot serve (here: no
    majority of its nodes up)."""
    if 2 * inactive >= nodes:
        return "Error"
    if inactive or counts["Degraded"] or counts["NotAvailable"] or counts["ReadOnly"]:
        return "Warning"
    return "OK"


def _remove(order, uid):
    i = bisect.bisect_left(order, uid)
    if i < len(order) and order[i] == uid:
        del order[i]


def _unname(names, obj):
    key = (obj["projectName"], obj["name"])
    if names.get(key) == obj["UUID"]:
        del names[key]
