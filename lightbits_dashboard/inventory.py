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

"""Where each image's data lives, and what is wrong: the admin panel's logic.

Plain Python, no Django. `build()` takes the bulk lists a page fetches once
(all images, all Cinder volumes, volume types, Glance stores, one state per
Lightbits cluster) and returns rows and findings, in time linear in the
number of objects. Objects are API resources or dicts (see model.field); the
rules the panels share (store detection, image-volume naming, deletable
statuses, the tenant attribute) are model's.

Chain per image:
  Glance image -> Cinder image volume "image-<image id>" -> Lightbits volume
  "volume-<cinder volume id>" (project from the volume type's
  lightos:project_name) -> boot volumes made from the image.

Boot volumes made from an image (volume_image_metadata.image_id) are
counted per image as cloned or copied from the Lightbits side
(boot_origin.py: a clone's Lightbits volume has the source snapshot
for_clone_<its own id>, a copy none).

Each finding is one small rule ``(subject, context) -> Finding | None`` in
one of three lists (IMAGE_RULES, IMAGE_VOLUME_RULES, LIGHTBITS_RULES), as
clone_path does for the clone rules. A Finding carries a code and its
parameters, never display text: the admin panel maps codes to translated
texts (dashboards/admin/lightbits_image_volumes/texts.py). Filtering and
paging are the panel's (cached.py).
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from dataclasses import field as dc_field

from lightbits_dashboard import boot_origin, cache_view, clone_path, model, snapshot_image
from lightbits_dashboard.model import (
    cinder_locations,
    field,
    image_id_of,
    image_stores,
    split_commas,
    volume_project,
)

LIGHTBITS_VOLUME_PREFIX = "volume-"
DEFAULT_LIGHTBITS_PROJECT = "default"
UNKNOWN = "unknown"  # a LightbitsSide status: the cluster did not answer

_LIGHTBITS_VOLUME_NAME = re.compile(rf"^volume-({model.UUID})$")

# Kinds of Cinder volumes named image-<uuid> (codes; the panel names them).
KIND_IMAGE_VOLUME = "image-volume"  # Glance cinder store: glance_image_id + image_size
KIND_UPLOAD_CLONE = "upload-clone"  # Cinder backend upload: glance_image_id, no size
KIND_CACHE_ENTRY = "cache-entry"  # internal tenant, no glance metadata
KIND_OTHER = "other"

# Finding codes.
NOT_ON_LIGHTBITS = "not-on-lightbits"
NEVER_FAST_CLONE = "never-fast-clone"
NOT_READ_ONLY = "not-read-only"
USER_PROJECT = "user-project"
ORPHAN = "orphan"
CACHE_ENTRY = "cache-entry"
CACHE_ENTRY_STALE = "cache-entry-stale"
LIGHTBITS_MISSING = "lightbits-missing"
LIGHTBITS_DEGRADED = "lightbits-degraded"
LIGHTBITS_READ_ONLY = "lightbits-read-only"
LIGHTBITS_NOT_AVAILABLE = "lightbits-not-available"
NO_CINDER_VOLUME = "no-cinder-volume"
IMAGE_VOLUME_MISSING = "image-volume-missing"
FINDING_CODES = (
    NOT_ON_LIGHTBITS,
    NEVER_FAST_CLONE,
    NOT_READ_ONLY,
    USER_PROJECT,
    ORPHAN,
    CACHE_ENTRY,
    CACHE_ENTRY_STALE,
    LIGHTBITS_MISSING,
    LIGHTBITS_DEGRADED,
    LIGHTBITS_READ_ONLY,
    LIGHTBITS_NOT_AVAILABLE,
    NO_CINDER_VOLUME,
    IMAGE_VOLUME_MISSING,
)
# Snapshot images (instance snapshots of volume-backed servers); reported
# only when build() is given Cinder's snapshot list. Not in FINDING_CODES
# until the admin panel words them.
SNAPSHOT_IMAGE_BROKEN = "snapshot-image-broken"  # a snapshot gone or in error: cannot boot
SNAPSHOT_ORPHAN = "snapshot-orphan"  # Nova's snapshot of a deleted snapshot image
SNAPSHOT_PLACEHOLDER = "snapshot-placeholder"  # the empty image-<id> volume of one
SNAPSHOT_MIN_DISK = "snapshot-min-disk"  # inherited min_disk above the root snapshot
SNAPSHOT_FINDING_CODES = (
    SNAPSHOT_IMAGE_BROKEN,
    SNAPSHOT_ORPHAN,
    SNAPSHOT_PLACEHOLDER,
    SNAPSHOT_MIN_DISK,
)
# Findings counted once per image, not per image volume.
_PER_IMAGE = (NOT_ON_LIGHTBITS, IMAGE_VOLUME_MISSING, SNAPSHOT_IMAGE_BROKEN, SNAPSHOT_MIN_DISK)

ACTION_COPY = "copy"
ACTION_MAKE_READ_ONLY = "make-read-only"
ACTION_DELETE_ORPHAN = "delete-orphan"
ACTION_DELETE_IMAGE = "delete-image"  # a snapshot image that cannot boot
ACTION_DELETE_SNAPSHOT = "delete-snapshot"  # an orphan Cinder snapshot (re-checked at submit)
# Cinder deletes a snapshot in these statuses (cinder/volume/api.py delete_snapshot).
SNAPSHOT_DELETABLE = ("available", "error", "error_deleting")
# Seconds a Nova-named snapshot no image maps yet is not called an orphan:
# Nova creates the image after its snapshots (compute/api.py 3632-3641).
ORPHAN_GRACE_SECONDS = 300

# Configuration notes (codes; ConfigRow.note).
NOTE_TYPE_MISSING = "volume-type-missing"  # the store's volume type is not in Cinder
NOTE_NOT_A_CLUSTER = "backend-not-lightbits"  # its backend is no configured cluster
NOTE_TYPE_UNUSED = "volume-type-unused"  # a Lightbits volume type no store uses

_PROTECTION_FINDINGS = {
    "Degraded": LIGHTBITS_DEGRADED,
    "ReadOnly": LIGHTBITS_READ_ONLY,
    "NotAvailable": LIGHTBITS_NOT_AVAILABLE,
}
# Cinder states in which a Lightbits volume is not expected (yet or any more).
_NO_BACKEND_VOLUME_EXPECTED = {
    "creating",
    "deleting",
    "error",
    "error_deleting",
    "error_managing",
    "managing",
}
# Lightbits states of a volume on its way out.
_LIGHTBITS_GONE = {"Deleting", "Deleted"}


@dataclass
class Finding:
    """What is wrong: a code, the facts the panel's text names, and the fix
    the panel may offer (an ACTION_* or None)."""

    code: str
    params: dict = dc_field(default_factory=dict)
    action: str | None = None


@dataclass
class LightbitsSide:
    """The Lightbits volume behind a Cinder volume, or why it is not known."""

    status: str  # "found" | "missing" | UNKNOWN (cluster did not answer)
    volume: dict | None = None
    backend: str | None = None
    nodes: list = dc_field(default_factory=list)  # names of the nodes holding replicas


@dataclass
class VolumeFacts:
    """What the volume pass learns about one Cinder volume."""

    volume: object
    kind: str | None  # KIND_* of an image-<uuid> volume, else None
    backend: str | None  # its Cinder backend (volume_backend_name or host)
    lightbits: LightbitsSide | None  # None: not on a configured cluster


class _InProject:
    @property
    def project(self):
        """The project of the row's Cinder volume (None: none, or not shown)."""
        return volume_project(self.volume)


@dataclass
class ImageRow(_InProject):
    """One image with one of its image volumes (or none)."""

    id: str
    image: object
    stores: list
    store: str | None = None
    volume: object | None = None
    volume_kind: str | None = None
    backend: str | None = None
    lightbits: LightbitsSide | None = None
    boot: dict | None = None  # boot_origin.counts: cloned / copied / unknown
    cache: str | None = None  # cache_view.FRESH / STALE / None
    copying: list = dc_field(default_factory=list)  # Lightbits stores a copy goes to
    copy_failed: list = dc_field(default_factory=list)  # ... and those it failed for
    findings: list = dc_field(default_factory=list)
    # A snapshot image: its entries and their Cinder snapshots (None: gone),
    # when build() was given the snapshot list.
    snapshot_image: object | None = None
    snapshots: list = dc_field(default_factory=list)  # [(SnapshotEntry, snapshot or None)]


@dataclass
class SnapshotRow:
    """A Cinder snapshot with a finding of its own (an orphan)."""

    id: str
    snapshot: object
    volume: object | None  # its source volume, when listed
    findings: list = dc_field(default_factory=list)


@dataclass
class VolumeRow(_InProject):
    """A Cinder volume or a Lightbits volume with a finding of its own."""

    id: str
    volume: object | None
    kind: str | None
    backend: str | None
    lightbits: LightbitsSide | None
    image_id: str | None = None
    image_exists: bool | None = None
    findings: list = dc_field(default_factory=list)


@dataclass
class ClusterHealth:
    backend: str
    ok: bool
    error: str = ""  # the API layer's error text when the cluster did not answer
    uuid: str = ""
    nodes: int = 0
    nodes_inactive: int = 0
    volumes: int = 0
    degraded: int = 0
    read_only: int = 0
    not_available: int = 0
    max_replicas: object = None


@dataclass
class ConfigRow:
    id: str
    store: str | None
    store_type: str | None
    volume_type: str | None
    backend: str | None
    cluster: ClusterHealth | None
    note: str = ""  # a NOTE_* code, or ""


@dataclass
class Inventory:
    image_rows: list
    volume_rows: list
    config_rows: list
    clusters: dict
    lightbits_stores: list
    counts: Counter
    snapshot_rows: list = dc_field(default_factory=list)  # SnapshotRow


# -- small readers ----------------------------------------------------------


def image_volume_kind(volume, internal_projects=()):
    """Which of the three image-<uuid> things a Cinder volume is (None: none)."""
    named = model.named_image_id(volume)
    if not named:
        return None
    metadata = field(volume, "metadata", {}) or {}
    if metadata.get("glance_image_id"):
        return KIND_IMAGE_VOLUME if "image_size" in metadata else KIND_UPLOAD_CLONE
    if internal_projects:  # Cinder's internal tenant is known: it decides
        return KIND_CACHE_ENTRY if volume_project(volume) in internal_projects else KIND_OTHER
    # Otherwise: a cache entry is a volume created from the image it is named after.
    image_meta = field(volume, "volume_image_metadata", {}) or {}
    return KIND_CACHE_ENTRY if image_meta.get("image_id") == named else KIND_OTHER


def is_read_only(volume):
    return str((field(volume, "metadata", {}) or {}).get("readonly", "")).lower() == "true"


def importing_stores(image):
    """Stores a Glance import (copy-image) is still copying the image into."""
    return split_commas(field(image, "os_glance_importing_to_stores"))


def failed_stores(image):
    """Stores a Glance import (copy-image) failed to copy the image into."""
    return split_commas(field(image, "os_glance_failed_import"))


@dataclass
class TypeBackend:
    backend: str | None  # volume_backend_name
    project: str  # Lightbits project (lightos:project_name)


def volume_backends(volume_types):
    """Volume type name -> TypeBackend."""
    result = {}
    for vtype in volume_types:
        specs = field(vtype, "extra_specs", {}) or {}
        result[field(vtype, "name")] = TypeBackend(
            specs.get("volume_backend_name"),
            specs.get("lightos:project_name", DEFAULT_LIGHTBITS_PROJECT),
        )
    return result


def _store_volume_type(store):
    return (store.get("properties") or {}).get("volume_type")


def _type_backend(type_backends, vtype):
    found = type_backends.get(vtype)
    return found.backend if found else None


def lightbits_store_ids(stores, volume_types, backends, extra=()):
    """Glance stores whose volume type lands on a Lightbits backend, plus extra."""
    type_backends = volume_backends(volume_types)
    found = [
        s.get("id")
        for s in stores
        if _type_backend(type_backends, _store_volume_type(s)) in backends
    ]
    return found + [s for s in extra or () if s not in found]


def cluster_health(backend, state):
    """Summary of one cluster's state dict, or of its error (a str)."""
    if not isinstance(state, dict):
        return ClusterHealth(backend=backend, ok=False, error=str(state or ""))
    info = state.get("info") or {}
    nodes = state.get("nodes") or []
    protection = Counter(v.get("protectionState") for v in state.get("volumes") or [])
    return ClusterHealth(
        backend=backend,
        ok=True,
        uuid=info.get("UUID", ""),
        nodes=len(nodes),
        nodes_inactive=sum(1 for n in nodes if n.get("state") != "Active"),
        volumes=len(state.get("volumes") or []),
        degraded=protection["Degraded"],
        read_only=protection["ReadOnly"],
        not_available=protection["NotAvailable"],
        max_replicas=info.get("currentMaxReplicas"),
    )


class LightbitsIndex:
    """Every cluster's volumes by (backend, project, name) and (backend, name)."""

    def __init__(self, clusters):
        self.answered = {b for b, s in clusters.items() if isinstance(s, dict)}
        self.configured = set(clusters)
        self.by_key = {}
        self.by_name = {}
        self.volumes = []  # (backend, volume)
        self.node_names = {}  # (backend, node UUID) -> name
        for backend in self.answered:
            for node in clusters[backend].get("nodes") or []:
                self.node_names[(backend, node.get("UUID"))] = node.get("name")
            for vol in clusters[backend].get("volumes") or []:
                name = vol.get("name", "")
                self.by_key[(backend, vol.get("projectName"), name)] = vol
                self.by_name.setdefault((backend, name), vol)
                self.volumes.append((backend, vol))

    def side_of(self, backend, project, cinder_volume_id):
        """The Lightbits side of a Cinder volume on ``backend`` (None: no cluster)."""
        if backend not in self.configured:
            return None
        if backend not in self.answered:
            return LightbitsSide(UNKNOWN, backend=backend)
        name = LIGHTBITS_VOLUME_PREFIX + cinder_volume_id
        vol = self.by_key.get((backend, project, name)) or self.by_name.get((backend, name))
        if vol is None or vol.get("state") in _LIGHTBITS_GONE:
            return LightbitsSide("missing", backend=backend)
        return self.found(backend, vol)

    def found(self, backend, vol):
        nodes = [self.node_names.get((backend, n)) or n for n in vol.get("nodeList") or []]
        return LightbitsSide("found", volume=vol, backend=backend, nodes=nodes)


def _backend_of(volume, type_backends, configured):
    """(backend, Lightbits project): its type's volume_backend_name, else host."""
    typed = type_backends.get(field(volume, "volume_type"))
    if typed and typed.backend:
        return typed.backend, typed.project or DEFAULT_LIGHTBITS_PROJECT
    host = field(volume, "os-vol-host-attr:host", "") or ""
    section = host.split("@", 1)[1].split("#", 1)[0] if "@" in host else ""
    pool = host.split("#", 1)[1] if "#" in host else ""
    for candidate in (pool, section):
        if candidate and candidate in configured:
            return candidate, DEFAULT_LIGHTBITS_PROJECT
    return (pool or section or None), DEFAULT_LIGHTBITS_PROJECT


# -- the context the rules read -------------------------------------------------


@dataclass
class Topology:
    """Stores, volume types and backends, as the rules need them."""

    lightbits_stores: list  # Glance stores backed by a Lightbits cluster
    cinder_stores: set  # Glance stores of type cinder
    stores_of_type: dict  # volume type -> [store id]
    reached: set  # backends a Lightbits volume type reaches
    configured: set  # backends with a configured Lightbits cluster


@dataclass
class Context:
    """What the rules read besides their subject."""

    topology: Topology
    facts: dict  # Cinder volume id -> VolumeFacts
    service_projects: set
    volumes_known: bool
    project_names: dict  # project id -> name
    cache_entries: dict | None = None  # cache_view.entries (None: not considered)
    snapshots: dict | None = None  # Cinder snapshot id -> snapshot (None: not listed)


@dataclass
class ImageSubject:
    """An image, as the image rules see it."""

    image: object
    stores: list
    image_volumes: list  # its image volumes / upload clones (Cinder volumes)
    on_lightbits: bool  # in a Lightbits store, or an image volume on a reached backend


@dataclass
class ImageVolumeSubject:
    """One image volume of an image, as the image-volume rules see it."""

    image: object
    facts: VolumeFacts
    store: str | None  # the Glance store it belongs to

    @property
    def lightbits(self):  # what LIGHTBITS_RULES read
        return self.facts.lightbits


# -- the rules ------------------------------------------------------------------


def not_on_lightbits(subject, ctx):
    if subject.on_lightbits:
        return None
    lb_stores = ctx.topology.lightbits_stores
    copying = any(s in lb_stores for s in importing_stores(subject.image))
    can_copy = field(subject.image, "status") == "active" and lb_stores and not copying
    params = {"stores": list(subject.stores), "copying": copying}
    return Finding(NOT_ON_LIGHTBITS, params, ACTION_COPY if can_copy else None)


def never_fast_clones_format(subject, ctx):
    """clone_path's raw/bare rule; params: its message's (disk, container)."""
    if not (subject.on_lightbits or subject.image_volumes):
        return None
    check = clone_path.check_raw_bare(subject.image)
    if check.ok:
        return None
    if cache_view.state(subject.image, ctx.cache_entries) == cache_view.FRESH:
        return None  # Cinder's image-volume cache clones it
    return Finding(NEVER_FAST_CLONE, {"why": "format", **check.message.params})


def image_volume_missing(subject, ctx):
    if subject.image_volumes or not ctx.volumes_known:
        return None
    stores = [
        s
        for s in subject.stores
        if s in ctx.topology.lightbits_stores and s in ctx.topology.cinder_stores
    ]
    if not stores:
        return None
    return Finding(
        IMAGE_VOLUME_MISSING, {"stores": stores, "image_id": field(subject.image, "id")}
    )


def never_fast_clones_backend(subject, ctx):
    topo, backend = ctx.topology, subject.facts.backend
    on_lightbits = subject.store in topo.lightbits_stores or backend in topo.configured
    if not on_lightbits or backend in topo.reached:
        return None
    return Finding(NEVER_FAST_CLONE, {"why": "backend", "backend": backend or UNKNOWN})


def not_read_only(subject, ctx):
    vol = subject.facts.volume
    if is_read_only(vol):
        return None
    available = field(vol, "status") == "available"
    action = ACTION_MAKE_READ_ONLY if available else None
    return Finding(NOT_READ_ONLY, {"available": available}, action)


def in_user_project(subject, ctx):
    project = volume_project(subject.facts.volume)
    if ctx.service_projects:
        in_user = project not in ctx.service_projects
    else:
        in_user = bool(project and project == field(subject.image, "owner"))
    if not in_user:
        return None
    return Finding(USER_PROJECT, {"project": ctx.project_names.get(project, project)})


def lightbits_missing(subject, ctx):
    """subject: VolumeFacts or ImageVolumeSubject (anything with .lightbits)."""
    side = subject.lightbits
    if side is None or side.status != "missing":
        return None
    return Finding(LIGHTBITS_MISSING, {"backend": side.backend})


def lightbits_protection(subject, ctx):
    side = subject.lightbits
    if side is None or side.status != "found":
        return None
    state = side.volume.get("protectionState")
    code = _PROTECTION_FINDINGS.get(state)
    return Finding(code, {"state": state}) if code else None


def snapshot_image_broken(subject, ctx):
    """A snapshot image one of whose Cinder snapshots is gone or in error:
    a launch of it fails (delete the image)."""
    found = snapshot_image.snapshot_image(subject.image)
    if found is None:
        return None
    bad = []
    for entry in found.entries:
        snap = ctx.snapshots.get(entry.snapshot_id)
        status = "missing" if snap is None else field(snap, "status", "")
        if status in ("missing", "error", "error_deleting"):
            bad.append({"snapshot": entry.snapshot_id, "role": entry.role, "status": status})
    if not bad:
        return None
    return Finding(SNAPSHOT_IMAGE_BROKEN, {"snapshots": bad}, ACTION_DELETE_IMAGE)


def snapshot_min_disk(subject, ctx):
    """An inherited ``min_disk`` above the root snapshot: Nova refuses to
    boot the image on a volume of the snapshot's size."""
    found = snapshot_image.snapshot_image(subject.image)
    if found is None:
        return None
    size = found.root.volume_size or field(ctx.snapshots.get(found.root.snapshot_id), "size", 0)
    if not size or found.min_disk <= int(size):
        return None
    return Finding(SNAPSHOT_MIN_DISK, {"min_disk": found.min_disk, "size": int(size)})


def snapshot_placeholder(subject, ctx):
    """The empty image volume Glance made for a snapshot image's 0-byte upload."""
    if snapshot_image.snapshot_image(subject.image) is None:
        return None
    params = {"image_id": field(subject.image, "id"), "size": field(subject.facts.volume, "size")}
    return Finding(SNAPSHOT_PLACEHOLDER, params)


def snapshot_orphan(snapshot, ctx, mapped, now=None):
    """A Cinder snapshot Nova made for a snapshot image that no image maps
    any more: it blocks deleting its source volume (delete it).

    mapped: the snapshot ids of every listed image's block_device_mapping."""
    if field(snapshot, "id") in mapped:
        return None
    image_name = snapshot_image.nova_snapshot_name(snapshot)
    if image_name is None or field(snapshot, "status") in ("creating", "deleting"):
        return None
    made = clone_path._time(field(snapshot, "created_at"))
    if (
        now is not None
        and made is not None
        and (now - made).total_seconds() < ORPHAN_GRACE_SECONDS
    ):
        return None
    status = field(snapshot, "status")
    action = ACTION_DELETE_SNAPSHOT if status in SNAPSHOT_DELETABLE else None
    params = {
        "image_name": image_name,
        "volume_id": field(snapshot, "volume_id"),
        "status": status,
    }
    return Finding(SNAPSHOT_ORPHAN, params, action)


IMAGE_RULES = [not_on_lightbits, never_fast_clones_format, image_volume_missing]
SNAPSHOT_IMAGE_RULES = [snapshot_image_broken, snapshot_min_disk]
SNAPSHOT_IMAGE_VOLUME_RULES = [snapshot_placeholder]
LIGHTBITS_RULES = [lightbits_missing, lightbits_protection]
IMAGE_VOLUME_RULES = [never_fast_clones_backend, not_read_only, in_user_project] + LIGHTBITS_RULES


def apply(rules, subject, ctx):
    """The findings of the rules that hold for the subject, in rule order."""
    return [f for f in (rule(subject, ctx) for rule in rules) if f is not None]


# -- the build ----------------------------------------------------------------


def _topology(stores, volume_types, type_backends, lightbits, extra_stores):
    stores_of_type = defaultdict(list)
    for store in stores:
        if _store_volume_type(store):
            stores_of_type[_store_volume_type(store)].append(store.get("id"))
    return Topology(
        lightbits_stores=lightbits_store_ids(
            stores, volume_types, lightbits.configured, extra_stores
        ),
        cinder_stores={s.get("id") for s in stores if s.get("type") == "cinder"},
        stores_of_type=stores_of_type,
        reached={t.backend for t in type_backends.values() if t.backend in lightbits.configured},
        configured=lightbits.configured,
    )


@dataclass
class _VolumePass:
    """What one pass over the Cinder volumes sorts out."""

    facts: dict = dc_field(default_factory=dict)  # volume id -> VolumeFacts
    backing: dict = dc_field(default_factory=lambda: defaultdict(list))  # image -> vols
    made_from: dict = dc_field(default_factory=lambda: defaultdict(list))  # image -> facts
    cinder_names: set = dc_field(default_factory=set)  # volume-<id> of every volume
    volume_rows: list = dc_field(default_factory=list)


def _volume_pass(volumes, images_by_id, located, type_backends, lightbits, known, internal):
    result = _VolumePass()
    for vol in volumes:
        vid = field(vol, "id")
        result.cinder_names.add(LIGHTBITS_VOLUME_PREFIX + vid)
        backend, lb_project = _backend_of(vol, type_backends, lightbits.configured)
        side = None
        if field(vol, "status") not in _NO_BACKEND_VOLUME_EXPECTED:
            side = lightbits.side_of(backend, lb_project, vid)
        facts = VolumeFacts(vol, image_volume_kind(vol, internal), backend, side)
        result.facts[vid] = facts
        row = _sort_volume(facts, result, images_by_id, located, known)
        if row is not None:
            result.volume_rows.append(row)
    return result


def _sort_volume(facts, result, images_by_id, located, images_known):
    """File one volume under its image; the VolumeRow of its own findings, or None."""
    vol, kind = facts.volume, facts.kind
    vid = field(vol, "id")
    if vid in located:
        result.backing[located[vid][0]].append(vol)
        return None
    if kind in (KIND_IMAGE_VOLUME, KIND_UPLOAD_CLONE):
        image_id = image_id_of(vol)
        if image_id in images_by_id:
            result.backing[image_id].append(vol)
            return None
        return _orphan_row(facts, image_id) if images_known else None
    lb_findings = apply(LIGHTBITS_RULES, facts, None)
    if kind == KIND_CACHE_ENTRY:
        image_id = image_id_of(vol)
        row = VolumeRow(
            vid, vol, kind, facts.backend, facts.lightbits, image_id, image_id in images_by_id
        )
        row.findings = [Finding(CACHE_ENTRY, {"image_id": image_id})] + lb_findings
        if cache_view.is_stale(images_by_id.get(image_id), vol):
            image = images_by_id[image_id]
            params = {"image_id": image_id, "updated_at": field(image, "updated_at")}
            row.findings.insert(1, Finding(CACHE_ENTRY_STALE, params))
        return row
    source_image = (field(vol, "volume_image_metadata", {}) or {}).get("image_id")
    if source_image:
        result.made_from[source_image].append(facts)
    if lb_findings:
        return VolumeRow(vid, vol, kind, facts.backend, facts.lightbits, findings=lb_findings)
    return None


def _orphan_row(facts, image_id):
    vol = facts.volume
    row = VolumeRow(
        field(vol, "id"), vol, facts.kind, facts.backend, facts.lightbits, image_id, False
    )
    action = ACTION_DELETE_ORPHAN if orphan_deletable(vol) else None
    row.findings = [Finding(ORPHAN, {"kind": facts.kind, "image_id": image_id}, action)]
    row.findings += apply(LIGHTBITS_RULES, facts, None)
    return row


def _stray_rows(lightbits, cinder_names):
    """Rows of Lightbits volume-<uuid> volumes Cinder does not know."""
    rows = []
    for backend, lvol in lightbits.volumes:
        name = lvol.get("name", "")
        if (
            _LIGHTBITS_VOLUME_NAME.match(name)
            and name not in cinder_names
            and lvol.get("state") not in _LIGHTBITS_GONE
        ):
            side = lightbits.found(backend, lvol)
            row = VolumeRow(f"lightbits:{backend}:{lvol.get('UUID')}", None, None, backend, side)
            row.findings.append(Finding(NO_CINDER_VOLUME, {"name": name}))
            rows.append(row)
    return rows


def build(
    images,
    volumes,
    volume_types,
    stores,
    clusters,
    *,
    lightbits_stores=(),
    service_projects=(),
    internal_projects=(),
    images_known=True,
    volumes_known=True,
    project_names=None,
    snapshots=None,
    now=None,
):
    """The whole inventory from bulk lists.

    stores: Glance stores detail dicts (id, type, properties.volume_type).
    clusters: Cinder backend name -> cluster state dict ({"info", "nodes",
      "volumes"}) or an error text when the cluster did not answer.
    lightbits_stores: store ids known to be Lightbits-backed from settings
      (added to those found through stores detail).
    service_projects: project ids where image volumes belong; when empty, an
      image volume in its image owner's project counts as a user project.
    internal_projects: Cinder's internal tenant (image-volume cache owner).
    images_known / volumes_known: False when that list could not be read;
      then no volume is called an orphan (resp. no Lightbits volume is called
      one without a Cinder volume), since absence proves nothing.
    project_names: project id -> name, for the findings' parameters.
    snapshots: every Cinder snapshot (all projects), or None when not
      listed: then no snapshot-image finding is made. now: a naive UTC
      datetime; a Nova-named snapshot younger than ORPHAN_GRACE_SECONDS is
      not called an orphan (None: no grace).
    """
    type_backends = volume_backends(volume_types)
    lightbits = LightbitsIndex(clusters)
    cluster_states = {b: cluster_health(b, s) for b, s in clusters.items()}
    topology = _topology(stores, volume_types, type_backends, lightbits, lightbits_stores)
    images_by_id = {field(i, "id"): i for i in images}
    located = {}  # volume id -> (image id, store)
    for image in images:
        for store, vol_id in cinder_locations(image):
            located[vol_id] = (field(image, "id"), store)

    passed = _volume_pass(
        volumes,
        images_by_id,
        located,
        type_backends,
        lightbits,
        images_known,
        set(internal_projects or ()),
    )
    volume_rows = passed.volume_rows
    if volumes_known:
        volume_rows += _stray_rows(lightbits, passed.cinder_names)
    ctx = Context(
        topology,
        passed.facts,
        set(service_projects or ()),
        volumes_known,
        project_names or {},
        cache_view.entries(volumes, set(internal_projects or ())),
        None if snapshots is None else {field(s, "id"): s for s in snapshots},
    )
    image_rows = []
    for image in images:
        image_id = field(image, "id")
        image_rows += _image_rows(
            image,
            passed.backing.get(image_id, []),
            passed.made_from.get(image_id, []),
            located,
            ctx,
        )
    config_rows = _config_rows(stores, type_backends, cluster_states, lightbits)
    snapshot_rows = []
    if snapshots is not None and images_known:
        snapshot_rows = _snapshot_rows(snapshots, images, passed.facts, ctx, now)
    counts = _counts(image_rows, volume_rows)
    counts.update(f.code for row in snapshot_rows for f in row.findings)
    return Inventory(
        image_rows,
        volume_rows,
        config_rows,
        cluster_states,
        topology.lightbits_stores,
        counts,
        snapshot_rows,
    )


def _snapshot_rows(snapshots, images, facts, ctx, now):
    mapped = set()
    for image in images:
        found = snapshot_image.snapshot_image(image)
        if found is not None:
            mapped.update(found.snapshot_ids)
    rows = []
    for snap in snapshots:
        finding = snapshot_orphan(snap, ctx, mapped, now)
        if finding is not None:
            source = facts.get(field(snap, "volume_id"))
            volume = source.volume if source else None
            rows.append(SnapshotRow(field(snap, "id"), snap, volume, [finding]))
    return rows


def _counts(image_rows, volume_rows):
    """Counted per subject: an image with two image volumes is one image "not
    on Lightbits", and its two writable volumes are two findings."""
    subjects = set()
    for row in image_rows:
        for f in row.findings:
            per_image = f.code in _PER_IMAGE
            subjects.add((f.code, field(row.image, "id") if per_image else row.id))
    for row in volume_rows:
        subjects.update((f.code, row.id) for f in row.findings)
    return Counter(code for code, _subject in subjects)


def orphan_deletable(vol):
    """Cinder would delete it now: detached, and not busy (creating, deleting...)."""
    return not field(vol, "attachments") and field(vol, "status") in model.VOLUME_DELETABLE


def _image_rows(image, vols, clones, located, ctx):
    image_id = field(image, "id")
    stores = image_stores(image)
    topo = ctx.topology
    on_lightbits = model.lightbits_store(image, topo.lightbits_stores) is not None or any(
        ctx.facts[field(v, "id")].backend in topo.reached for v in vols
    )
    image_subject = ImageSubject(image, stores, vols, on_lightbits)
    image_findings = apply(IMAGE_RULES, image_subject, ctx)
    snapshot_rules, golden = [], {}
    if ctx.snapshots is not None:
        image_findings += apply(SNAPSHOT_IMAGE_RULES, image_subject, ctx)
        snapshot_rules = SNAPSHOT_IMAGE_VOLUME_RULES
        golden = _snapshot_fields(image, ctx.snapshots)
    copy = {
        "copying": [s for s in importing_stores(image) if s in topo.lightbits_stores],
        "copy_failed": [s for s in failed_stores(image) if s in topo.lightbits_stores],
        "boot": boot_origin.counts(clones),
        "cache": cache_view.state(image, ctx.cache_entries),
    }
    if not vols:
        return [ImageRow(image_id, image, stores, findings=image_findings, **copy, **golden)]
    rows = []
    for vol in vols:
        facts = ctx.facts[field(vol, "id")]
        store = _store_of(vol, stores, located, topo)
        subject = ImageVolumeSubject(image, facts, store)
        rows.append(
            ImageRow(
                f"{image_id}:{field(vol, 'id')}",
                image,
                stores,
                store=store,
                volume=vol,
                volume_kind=facts.kind or KIND_IMAGE_VOLUME,
                backend=facts.backend,
                lightbits=facts.lightbits,
                findings=image_findings
                + apply(IMAGE_VOLUME_RULES, subject, ctx)
                + apply(snapshot_rules, subject, ctx),
                **copy,
                **golden,
            )
        )
    return rows


def _snapshot_fields(image, snapshots):
    """ImageRow's snapshot_image and snapshots for a snapshot image, else {}."""
    found = snapshot_image.snapshot_image(image)
    if found is None:
        return {}
    pairs = [(entry, snapshots.get(entry.snapshot_id)) for entry in found.entries]
    return {"snapshot_image": found, "snapshots": pairs}


def _store_of(vol, stores, located, topo):
    """The Glance store an image volume belongs to: its location, else its type's."""
    store = located.get(field(vol, "id"), (None, None))[1]
    if store is not None:
        return store
    candidates = topo.stores_of_type.get(field(vol, "volume_type"), [])
    return next((s for s in candidates if s in stores), candidates[0] if candidates else None)


def _config_rows(stores, type_backends, cluster_states, lightbits):
    rows = []
    typed = set()
    for store in stores:
        sid = store.get("id")
        vtype = _store_volume_type(store)
        backend = _type_backend(type_backends, vtype) if vtype else None
        typed.add(vtype)
        note = ""
        if store.get("type") == "cinder" and vtype and vtype not in type_backends:
            note = NOTE_TYPE_MISSING
        elif store.get("type") == "cinder" and backend and backend not in lightbits.configured:
            note = NOTE_NOT_A_CLUSTER
        rows.append(
            ConfigRow(
                f"store:{sid}",
                sid,
                store.get("type"),
                vtype,
                backend,
                cluster_states.get(backend),
                note,
            )
        )
    for vtype, typed_backend in sorted(type_backends.items(), key=lambda kv: str(kv[0])):
        backend = typed_backend.backend
        if backend in lightbits.configured and vtype not in typed:
            rows.append(
                ConfigRow(
                    f"type:{vtype}",
                    None,
                    None,
                    vtype,
                    backend,
                    cluster_states.get(backend),
                    NOTE_TYPE_UNUSED,
                )
            )
    return rows
