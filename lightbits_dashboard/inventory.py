"""Where each image's data lives, and what is wrong: the admin panel's logic.

Plain Python, no Django. `build()` takes the bulk lists a page fetches once
(all images, all Cinder volumes, volume types, Glance stores, one state per
Lightbits cluster) and returns rows and findings, in time linear in the
number of objects. Objects are API resources or dicts (see clone_path.field).

Chain per image:
  Glance image -> Cinder image volume "image-<image id>" -> Lightbits volume
  "volume-<cinder volume id>" (project from the volume type's
  lightos:project_name) -> boot volumes made from the image.

Boot volumes "cloned from" an image are counted on the Cinder side: volumes
whose volume_image_metadata.image_id is the image and that live on the image
volume's backend. The Lightbits side cannot name the source (the temporary
for_clone_<new volume id> snapshot is deleted after the clone), but it tells
how many of them are thin clones: their Lightbits volume has a
sourceSnapshotName starting with "for_clone_".
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from dataclasses import field as dc_field

from lightbits_dashboard.clone_path import check_raw_bare, field
from lightbits_dashboard.image_locations import UUID as _UUID
from lightbits_dashboard.image_locations import cinder_locations, image_stores

IMAGE_VOLUME_PREFIX = "image-"
LIGHTBITS_VOLUME_PREFIX = "volume-"
CLONE_SNAPSHOT_PREFIX = "for_clone_"
DEFAULT_LIGHTBITS_PROJECT = "default"
UNKNOWN = "unknown"

_IMAGE_VOLUME_NAME = re.compile(rf"^image-({_UUID})$")
_LIGHTBITS_VOLUME_NAME = re.compile(rf"^volume-({_UUID})$")

# Kinds of Cinder volumes named image-<uuid>: three different things.
KIND_IMAGE_VOLUME = "image volume"  # Glance cinder store: glance_image_id + image_size
KIND_UPLOAD_CLONE = "upload-to-image clone"  # Cinder backend upload: glance_image_id, no size
KIND_CACHE_ENTRY = "image-volume cache entry"  # internal tenant, no glance metadata
KIND_OTHER = "other volume"

# Finding codes -> (label, action or None).
NOT_ON_LIGHTBITS = "not-on-lightbits"
NEVER_FAST_CLONE = "never-fast-clone"
NOT_READ_ONLY = "not-read-only"
USER_PROJECT = "user-project"
ORPHAN = "orphan"
CACHE_ENTRY = "cache-entry"
LIGHTBITS_MISSING = "lightbits-missing"
LIGHTBITS_DEGRADED = "lightbits-degraded"
LIGHTBITS_READ_ONLY = "lightbits-read-only"
LIGHTBITS_NOT_AVAILABLE = "lightbits-not-available"
NO_CINDER_VOLUME = "no-cinder-volume"
IMAGE_VOLUME_MISSING = "image-volume-missing"

ACTION_COPY = "copy"
ACTION_MAKE_READ_ONLY = "make-read-only"
ACTION_DELETE_ORPHAN = "delete-orphan"

FINDING_LABELS = {
    NOT_ON_LIGHTBITS: "Not on Lightbits",
    NEVER_FAST_CLONE: "Never fast-clones",
    NOT_READ_ONLY: "Image volume not read-only",
    USER_PROJECT: "Image volume in a user project",
    ORPHAN: "Orphaned image volume",
    CACHE_ENTRY: "Image-volume cache entry",
    LIGHTBITS_MISSING: "Lightbits volume missing",
    LIGHTBITS_DEGRADED: "Lightbits volume Degraded",
    LIGHTBITS_READ_ONLY: "Lightbits volume ReadOnly",
    LIGHTBITS_NOT_AVAILABLE: "Lightbits volume NotAvailable",
    NO_CINDER_VOLUME: "Lightbits volume without Cinder volume",
    IMAGE_VOLUME_MISSING: "Image volume missing",
}

_PROTECTION_FINDINGS = {
    "Degraded": LIGHTBITS_DEGRADED,
    "ReadOnly": LIGHTBITS_READ_ONLY,
    "NotAvailable": LIGHTBITS_NOT_AVAILABLE,
}
# Cinder deletes a volume only in these states (and only when detached).
DELETABLE_STATUSES = ("available", "error", "error_restoring", "error_extending", "error_managing")
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
    code: str
    text: str
    action: str | None = None

    @property
    def label(self):
        return FINDING_LABELS[self.code]


@dataclass
class LightbitsSide:
    """The Lightbits volume behind a Cinder volume, or why it is not known."""

    status: str  # "found" | "missing" | UNKNOWN (cluster did not answer)
    volume: dict | None = None
    backend: str | None = None
    nodes: list = dc_field(default_factory=list)  # names of the nodes holding replicas


@dataclass
class ImageRow:
    """One image with one of its image volumes (or none)."""

    id: str
    image: object
    stores: list
    store: str | None = None
    volume: object | None = None
    volume_kind: str | None = None
    backend: str | None = None
    lightbits: LightbitsSide | None = None
    clones: int | None = None
    thin_clones: int | None = None
    copy_status: str = ""
    findings: list = dc_field(default_factory=list)

    @property
    def project(self):
        return field(self.volume, "os-vol-tenant-attr:tenant_id") if self.volume else None


@dataclass
class VolumeRow:
    """A Cinder volume or a Lightbits volume with a finding of its own."""

    id: str
    volume: object | None
    kind: str | None
    backend: str | None
    lightbits: LightbitsSide | None
    image_id: str | None = None
    image_exists: bool | None = None
    findings: list = dc_field(default_factory=list)

    @property
    def project(self):
        return field(self.volume, "os-vol-tenant-attr:tenant_id") if self.volume else None


@dataclass
class ClusterHealth:
    backend: str
    ok: bool
    error: str = ""
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
    note: str = ""


@dataclass
class Inventory:
    image_rows: list
    volume_rows: list
    config_rows: list
    clusters: dict
    lightbits_stores: list
    counts: Counter


# -- small readers ----------------------------------------------------------


def image_volume_kind(volume, internal_projects=()):
    """Which of the three image-<uuid> things a Cinder volume is (None: none)."""
    match = _IMAGE_VOLUME_NAME.match(field(volume, "name", "") or "")
    if not match:
        return None
    metadata = field(volume, "metadata", {}) or {}
    if metadata.get("glance_image_id"):
        return KIND_IMAGE_VOLUME if "image_size" in metadata else KIND_UPLOAD_CLONE
    if internal_projects:  # Cinder's internal tenant is known: it decides
        project = field(volume, "os-vol-tenant-attr:tenant_id")
        return KIND_CACHE_ENTRY if project in internal_projects else KIND_OTHER
    # Otherwise: a cache entry is a volume created from the image it is named after.
    image_meta = field(volume, "volume_image_metadata", {}) or {}
    return KIND_CACHE_ENTRY if image_meta.get("image_id") == match.group(1) else KIND_OTHER


def image_id_of(volume):
    """The image an image-<uuid> volume belongs to: metadata first, then name."""
    metadata = field(volume, "metadata", {}) or {}
    if metadata.get("glance_image_id"):
        return metadata["glance_image_id"]
    match = _IMAGE_VOLUME_NAME.match(field(volume, "name", "") or "")
    return match.group(1) if match else None


def is_read_only(volume):
    return str((field(volume, "metadata", {}) or {}).get("readonly", "")).lower() == "true"


def _csv(value):
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def importing_stores(image):
    """Stores a Glance import (copy-image) is still copying the image into."""
    return _csv(field(image, "os_glance_importing_to_stores"))


def volume_backends(volume_types):
    """Volume type name -> (volume_backend_name, lightos project)."""
    result = {}
    for vtype in volume_types:
        specs = field(vtype, "extra_specs", {}) or {}
        result[field(vtype, "name")] = (
            specs.get("volume_backend_name"),
            specs.get("lightos:project_name", DEFAULT_LIGHTBITS_PROJECT),
        )
    return result


def lightbits_store_ids(stores, volume_types, backends, extra=()):
    """Glance stores whose volume type lands on a Lightbits backend, plus extra."""
    type_backends = volume_backends(volume_types)
    found = [
        s.get("id")
        for s in stores
        if type_backends.get((s.get("properties") or {}).get("volume_type"), (None,))[0]
        in backends
    ]
    return found + [s for s in extra or () if s not in found]


def cluster_health(backend, state):
    """Summary of one cluster's state dict, or of its error (a str)."""
    if not isinstance(state, dict):
        return ClusterHealth(backend=backend, ok=False, error=str(state or UNKNOWN))
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


class _Lightbits:
    """Index of every cluster's volumes by (project, name) and by name."""

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

    def side(self, backend, project, cinder_volume_id):
        if backend not in self.configured:
            return None
        if backend not in self.answered:
            return LightbitsSide(UNKNOWN, backend=backend)
        name = LIGHTBITS_VOLUME_PREFIX + cinder_volume_id
        vol = self.by_key.get((backend, project, name)) or self.by_name.get((backend, name))
        if vol is None or vol.get("state") in _LIGHTBITS_GONE:
            return LightbitsSide("missing", backend=backend)
        return LightbitsSide(
            "found", volume=vol, backend=backend, nodes=self.nodes_of(backend, vol)
        )

    def nodes_of(self, backend, vol):
        return [self.node_names.get((backend, n)) or n for n in vol.get("nodeList") or []]


def _backend_of(volume, type_backends, configured):
    """The volume's Cinder backend: its type's volume_backend_name, else host."""
    backend, project = type_backends.get(field(volume, "volume_type"), (None, None))
    if backend:
        return backend, project or DEFAULT_LIGHTBITS_PROJECT
    host = field(volume, "os-vol-host-attr:host", "") or ""
    section = host.split("@", 1)[1].split("#", 1)[0] if "@" in host else ""
    pool = host.split("#", 1)[1] if "#" in host else ""
    for candidate in (pool, section):
        if candidate and candidate in configured:
            return candidate, DEFAULT_LIGHTBITS_PROJECT
    return (pool or section or None), DEFAULT_LIGHTBITS_PROJECT


def _lightbits_findings(side):
    if side is None or side.status == UNKNOWN:
        return []
    if side.status == "missing":
        return [
            Finding(
                LIGHTBITS_MISSING,
                f"Cinder has this volume on backend {side.backend}, "
                "but the Lightbits cluster has no volume for it.",
            )
        ]
    code = _PROTECTION_FINDINGS.get(side.volume.get("protectionState"))
    if code:
        return [
            Finding(
                code,
                "The Lightbits volume's protection state is "
                f"{side.volume.get('protectionState')}: replicas are missing or unreachable.",
            )
        ]
    return []


# -- the build ----------------------------------------------------------------


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
    project_names: project id -> name, for the findings' texts.
    """
    service_projects = set(service_projects or ())
    internal_projects = set(internal_projects or ())
    type_backends = volume_backends(volume_types)
    lightbits = _Lightbits(clusters)
    cluster_states = {b: cluster_health(b, s) for b, s in clusters.items()}
    # Backends a Lightbits volume type reaches (a boot volume can land there).
    reached = {b for b, _ in type_backends.values() if b in lightbits.configured}

    store_type = {s.get("id"): (s.get("properties") or {}).get("volume_type") for s in stores}
    lb_stores = lightbits_store_ids(stores, volume_types, lightbits.configured, lightbits_stores)
    stores_of_type = defaultdict(list)
    for sid, vtype in store_type.items():
        if vtype:
            stores_of_type[vtype].append(sid)

    images_by_id = {field(i, "id"): i for i in images}
    located = {}  # volume id -> (image id, store)
    for image in images:
        for store, vol_id in cinder_locations(image):
            located[vol_id] = (field(image, "id"), store)

    # One pass over Cinder volumes: kinds, backends, Lightbits sides.
    info = {}  # volume id -> (kind, backend, side)
    backing = defaultdict(list)  # image id -> image volumes / upload clones
    made_from = defaultdict(list)  # image id -> volumes created from it
    cinder_names = set()
    volume_rows = []
    for vol in volumes:
        vid = field(vol, "id")
        cinder_names.add(LIGHTBITS_VOLUME_PREFIX + vid)
        kind = image_volume_kind(vol, internal_projects)
        backend, lb_project = _backend_of(vol, type_backends, lightbits.configured)
        side = None
        if field(vol, "status") not in _NO_BACKEND_VOLUME_EXPECTED:
            side = lightbits.side(backend, lb_project, vid)
        info[vid] = (kind, backend, side)
        if vid in located:
            backing[located[vid][0]].append(vol)
            continue
        if kind in (KIND_IMAGE_VOLUME, KIND_UPLOAD_CLONE):
            image_id = image_id_of(vol)
            if image_id in images_by_id:
                backing[image_id].append(vol)
            elif images_known:
                volume_rows.append(_orphan_row(vol, kind, backend, side, image_id))
            continue
        source_image = (field(vol, "volume_image_metadata", {}) or {}).get("image_id")
        if kind == KIND_CACHE_ENTRY:
            image_id = image_id_of(vol)
            row = VolumeRow(vid, vol, kind, backend, side, image_id, image_id in images_by_id)
            row.findings.append(
                Finding(
                    CACHE_ENTRY,
                    "Cinder's image-volume cache keeps this copy of image "
                    f"{image_id} to speed up volume creation; it is not the "
                    "image's data in Glance. Cinder evicts it; do not delete it by hand.",
                )
            )
            row.findings += _lightbits_findings(side)
            volume_rows.append(row)
            continue
        if source_image:
            made_from[source_image].append((vol, backend, side))
        lb_findings = _lightbits_findings(side)
        if lb_findings:
            volume_rows.append(VolumeRow(vid, vol, kind, backend, side, findings=lb_findings))

    # Lightbits volume-<uuid> volumes Cinder does not know.
    for backend, lvol in lightbits.volumes if volumes_known else ():
        name = lvol.get("name", "")
        if (
            _LIGHTBITS_VOLUME_NAME.match(name)
            and name not in cinder_names
            and lvol.get("state") not in _LIGHTBITS_GONE
        ):
            side = LightbitsSide(
                "found", volume=lvol, backend=backend, nodes=lightbits.nodes_of(backend, lvol)
            )
            row = VolumeRow(f"lightbits:{backend}:{lvol.get('UUID')}", None, None, backend, side)
            row.findings.append(
                Finding(
                    NO_CINDER_VOLUME,
                    f"Lightbits volume {name} has no Cinder volume: left behind "
                    "by a failed create or delete, or created outside Cinder.",
                )
            )
            volume_rows.append(row)

    ctx = _Context(
        info,
        located,
        stores_of_type,
        lb_stores,
        reached,
        lightbits.configured,
        service_projects,
        volumes_known,
        {s.get("id") for s in stores if s.get("type") == "cinder"},
        project_names or {},
    )
    image_rows = []
    for image in images:
        image_id = field(image, "id")
        image_rows.extend(
            _image_rows(image, backing.get(image_id, []), made_from.get(image_id, []), ctx)
        )

    # Counted per subject: an image with two image volumes is one image "not
    # on Lightbits", and its two writable volumes are two findings.
    subjects = set()
    for row in image_rows:
        for f in row.findings:
            per_image = f.code in (NOT_ON_LIGHTBITS, IMAGE_VOLUME_MISSING)
            subjects.add((f.code, field(row.image, "id") if per_image else row.id))
    for row in volume_rows:
        subjects.update((f.code, row.id) for f in row.findings)
    counts = Counter(code for code, _subject in subjects)
    config_rows = _config_rows(stores, volume_types, type_backends, cluster_states, lightbits)
    return Inventory(image_rows, volume_rows, config_rows, cluster_states, lb_stores, counts)


def orphan_deletable(vol):
    """Cinder would delete it now: detached, and not busy (creating, deleting...)."""
    return not field(vol, "attachments") and field(vol, "status") in DELETABLE_STATUSES


def _orphan_row(vol, kind, backend, side, image_id):
    row = VolumeRow(field(vol, "id"), vol, kind, backend, side, image_id, False)
    row.findings.append(
        Finding(
            ORPHAN,
            f"This {kind} belongs to image {image_id}, which no longer exists, "
            "and no image location points at it.",
            ACTION_DELETE_ORPHAN if orphan_deletable(vol) else None,
        )
    )
    row.findings += _lightbits_findings(side)
    return row


@dataclass
class _Context:
    """What _image_rows needs from the volume pass."""

    info: dict  # volume id -> (kind, backend, side)
    located: dict  # volume id -> (image id, store)
    stores_of_type: dict  # volume type -> [store id]
    lb_stores: list
    reached: set  # backends a Lightbits volume type reaches
    configured: set  # backends with a configured Lightbits cluster
    service_projects: set
    volumes_known: bool
    cinder_stores: set  # Glance stores of type cinder
    project_names: dict  # project id -> name


def _image_rows(image, vols, clones, ctx):
    image_id = field(image, "id")
    stores = image_stores(image)
    on_lb_store = [s for s in stores if s in ctx.lb_stores]
    copy_status = _copy_status(image, ctx.lb_stores)
    image_findings = []
    on_lightbits = bool(on_lb_store) or any(
        ctx.info[field(v, "id")][1] in ctx.reached for v in vols
    )
    if not on_lightbits:
        copying = any(s in ctx.lb_stores for s in importing_stores(image))
        can_copy = field(image, "status") == "active" and ctx.lb_stores and not copying
        image_findings.append(
            Finding(
                NOT_ON_LIGHTBITS,
                "The image's data is in no Lightbits-backed store ("
                + (", ".join(stores) or "no store listed")
                + "): boot volumes on Lightbits are full copies."
                + (" A copy is in progress." if copying else ""),
                ACTION_COPY if can_copy else None,
            )
        )
    raw_bare = check_raw_bare(image)
    if (on_lightbits or vols) and raw_bare.ok is False:
        image_findings.append(
            Finding(
                NEVER_FAST_CLONE,
                f"The {raw_bare.reason}: Cinder clones only raw/bare images; "
                "every boot volume is a full download and copy.",
            )
        )
    if not vols:
        cinder_stores = [s for s in on_lb_store if s in ctx.cinder_stores]
        if cinder_stores and ctx.volumes_known:
            image_findings.append(
                Finding(
                    IMAGE_VOLUME_MISSING,
                    "Glance lists the image in store "
                    + ", ".join(cinder_stores)
                    + " but Cinder has no image volume for it (no image-"
                    + str(image_id)
                    + " volume, no location pointing at one): "
                    "the image's data may be gone.",
                )
            )
        return [
            ImageRow(image_id, image, stores, copy_status=copy_status, findings=image_findings)
        ]

    rows = []
    for vol in vols:
        vid = field(vol, "id")
        kind, backend, side = ctx.info[vid]
        store = ctx.located.get(vid, (None, None))[1]
        if store is None:
            candidates = ctx.stores_of_type.get(field(vol, "volume_type"), [])
            store = next(
                (s for s in candidates if s in stores), candidates[0] if candidates else None
            )
        findings = list(image_findings)
        if (store in ctx.lb_stores or backend in ctx.configured) and backend not in ctx.reached:
            findings.append(
                Finding(
                    NEVER_FAST_CLONE,
                    f"The image volume is on backend {backend or 'unknown'}, which no "
                    "Lightbits volume type reaches: Cinder clones only within one backend.",
                )
            )
        if not is_read_only(vol):
            available = field(vol, "status") == "available"
            findings.append(
                Finding(
                    NOT_READ_ONLY,
                    "The image volume is writable: anything attaching it can change "
                    "the image's data under Glance's checksum."
                    + ("" if available else " (It must be available to change the flag.)"),
                    ACTION_MAKE_READ_ONLY if available else None,
                )
            )
        project = field(vol, "os-vol-tenant-attr:tenant_id")
        owner = field(image, "owner")
        in_user_project = (
            project not in ctx.service_projects
            if ctx.service_projects
            else bool(project and project == owner)
        )
        if in_user_project:
            findings.append(
                Finding(
                    USER_PROJECT,
                    "The image volume lives in project "
                    f"{ctx.project_names.get(project, project)}, not in the service "
                    "project: it counts against that project's quota and its users "
                    "can see and delete it (glance_store cinder_store_* credentials unset?).",
                )
            )
        findings += _lightbits_findings(side)
        same_backend = [c for c in clones if c[1] == backend and field(c[0], "id") != vid]
        thin = sum(
            1
            for _, _, s in same_backend
            if s
            and s.volume
            and (s.volume.get("sourceSnapshotName") or "").startswith(CLONE_SNAPSHOT_PREFIX)
        )
        rows.append(
            ImageRow(
                f"{image_id}:{vid}",
                image,
                stores,
                store=store,
                volume=vol,
                volume_kind=kind or KIND_IMAGE_VOLUME,
                backend=backend,
                lightbits=side,
                clones=len(same_backend),
                thin_clones=None if side is None or side.status == UNKNOWN else thin,
                copy_status=copy_status,
                findings=findings,
            )
        )
    return rows


def _copy_status(image, lb_stores):
    importing = [s for s in importing_stores(image) if s in lb_stores]
    failed = [s for s in _csv(field(image, "os_glance_failed_import")) if s in lb_stores]
    parts = []
    if importing:
        parts.append("copying to " + ", ".join(importing))
    if failed:
        parts.append("copy failed for " + ", ".join(failed))
    return "; ".join(parts)


def _config_rows(stores, volume_types, type_backends, cluster_states, lightbits):
    rows = []
    typed = set()
    for store in stores:
        sid = store.get("id")
        vtype = (store.get("properties") or {}).get("volume_type")
        backend = type_backends.get(vtype, (None,))[0] if vtype else None
        typed.add(vtype)
        note = ""
        if store.get("type") == "cinder" and vtype and vtype not in type_backends:
            note = f"volume type {vtype} does not exist in Cinder"
        elif store.get("type") == "cinder" and backend and backend not in lightbits.configured:
            note = "backend is not a configured Lightbits cluster"
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
    for vtype, (backend, _) in sorted(type_backends.items(), key=lambda kv: str(kv[0])):
        if backend in lightbits.configured and vtype not in typed:
            rows.append(
                ConfigRow(
                    f"type:{vtype}",
                    None,
                    None,
                    vtype,
                    backend,
                    cluster_states.get(backend),
                    "no Glance store uses this volume type",
                )
            )
    return rows


def filter_rows(rows, finding=None, store=None, project=None):
    """Rows having the finding, in the store, in the project (image owner or
    volume project)."""
    result = []
    for row in rows:
        if finding and not any(f.code == finding for f in row.findings):
            continue
        if store:
            stores = getattr(row, "stores", None) or []
            if store not in stores and getattr(row, "store", None) != store:
                continue
        if project:
            owner = field(getattr(row, "image", None), "owner")
            if project not in (owner, row.project):
                continue
        result.append(row)
    return result


def paginate(rows, marker=None, prev_marker=None, size=20):
    """(page, has_prev, has_more) of rows by row.id markers, Horizon-style.

    marker: id of the last row of the previous page (go forward);
    prev_marker: id of the first row of the next page (go back). An unknown
    marker starts from the beginning.
    """
    size = max(1, int(size))
    ids = [row.id for row in rows]
    if prev_marker and prev_marker in ids:
        end = ids.index(prev_marker)
        start = max(0, end - size)
    else:
        start = ids.index(marker) + 1 if marker and marker in ids else 0
        end = start + size
    return rows[start:end], start > 0, end < len(rows)
