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

"""The clone path of a snapshot image, or of a volume snapshot, from its
Cinder snapshots (plain Python).

A volume made from a Cinder snapshot is never a copy on Lightbits: Cinder
schedules it to the snapshot's backend (cinder/volume/flows/api/
create_volume.py, ``snapshot_same_host``) and the LightOS driver creates a
Lightbits volume whose source is the snapshot ``snapshot-<id>``
(cinder/volume/drivers/lightos.py ``create_volume_from_snapshot`` 842-845,
``_create_new_lightos_volume`` 784-804): no bytes copied. It works or it
fails; so the verdict is FAST_CLONE, NOT_LIGHTBITS (a snapshot on another
backend: that backend's driver makes the volume) or UNAVAILABLE (no volume
can be made now), with one reason per snapshot and rule:

* the snapshot is missing (404: deleted, or another project's), in error,
  or not ``available`` yet (cinder create_volume.py
  ``SNAPSHOT_PROCEED_STATUS``, line 46: only ``available``);
* a chosen volume type Cinder refuses for it (cinder/volume/api.py
  ``create`` 305-313 and ``_retype_is_possible`` 163-193): its encryption
  differs, or its ``volume_backend_name`` does;
* a type whose ``lightos:project_name`` differs: Cinder accepts it, but the
  driver creates the volume in the type's Lightbits project
  (``_get_volume_type_project_name``, lightos.py 659-670, used at 853)
  from a snapshot that lives in the source volume's project
  (``create_snapshot`` 1695-1699): the cluster finds no such snapshot and
  the volume goes to error.

What the project cannot see (volume type extra specs and encryption are
admin-only by default, another project's volumes) gives a reason whose
``ok`` is None: the verdict stays, the reason says what was not checked.

Snapshots, volumes and types are API objects or dicts with Cinder's field
names. Reasons are ``Message``s; the panels translate the codes.
"""

from dataclasses import dataclass

from lightbits_dashboard import clone_path
from lightbits_dashboard.launch import backend as lb_backend
from lightbits_dashboard.message import msg
from lightbits_dashboard.model import field

FAST_CLONE = clone_path.FAST_CLONE
NOT_LIGHTBITS = "not_lightbits"  # a volume would be made on another backend
UNAVAILABLE = clone_path.UNAVAILABLE  # no volume can be made from it now

# Reasons (Message codes); params: role, snapshot, device, and as named.
SNAPSHOT_MISSING = "snapshot_missing"
SNAPSHOT_ERROR = "snapshot_error"  # status
SNAPSHOT_NOT_AVAILABLE = "snapshot_not_available"  # status
SNAPSHOT_OTHER_BACKEND = "snapshot_other_backend"  # backend
SNAPSHOT_BACKEND_UNKNOWN = "snapshot_backend_unknown"
TYPE_MISSING = "volume_type_missing"  # type
TYPE_OTHER_BACKEND = "volume_type_other_backend"  # type, backend, snapshot_backend
TYPE_OTHER_PROJECT = "volume_type_other_lightos_project"  # type, project, snapshot_project
TYPE_ENCRYPTION_DIFFERS = "volume_type_encryption_differs"  # type, encrypted
TYPE_NOT_CHECKED = "volume_type_not_checked"  # type: its backend/project/encryption unseen
MIN_DISK_ABOVE_SNAPSHOT = "min_disk_above_snapshot"  # min_disk, size
SNAPSHOT_REASONS = (
    SNAPSHOT_MISSING,
    SNAPSHOT_ERROR,
    SNAPSHOT_NOT_AVAILABLE,
    SNAPSHOT_OTHER_BACKEND,
    SNAPSHOT_BACKEND_UNKNOWN,
    TYPE_MISSING,
    TYPE_OTHER_BACKEND,
    TYPE_OTHER_PROJECT,
    TYPE_ENCRYPTION_DIFFERS,
    TYPE_NOT_CHECKED,
    MIN_DISK_ABOVE_SNAPSHOT,
)
# The reasons that make a launch impossible (refused up front).
BLOCKING = (
    SNAPSHOT_MISSING,
    SNAPSHOT_ERROR,
    SNAPSHOT_NOT_AVAILABLE,
    TYPE_MISSING,
    TYPE_OTHER_BACKEND,
    TYPE_OTHER_PROJECT,
    TYPE_ENCRYPTION_DIFFERS,
)

SNAPSHOT_ERROR_STATUSES = ("error", "error_deleting")
# cinder/volume/drivers/lightos.py: LIGHTOS_DEFAULT_PROJECT_NAME
DEFAULT_LIGHTOS_PROJECT = "default"
BACKEND_SPEC = "volume_backend_name"
PROJECT_SPEC = "lightos:project_name"


@dataclass(frozen=True)
class TypeFacts:
    """What decides whether Cinder makes a volume of this type from a snapshot."""

    name: str
    backend: str | None  # volume_backend_name; None: not known to this user
    lightos_project: str | None  # None: not known (extra specs hidden)
    encrypted: bool | None  # None: not known (encryption is admin-only)


def type_facts(volume_types, clusters=None, encrypted_type_names=None):
    """Volume type name -> TypeFacts.

    ``clusters``: the CLUSTERS setting (backend -> settings whose
    ``volume_types`` name the types on it), for users who cannot read extra
    specs. ``encrypted_type_names``: None when encryption cannot be seen.
    A type whose ``volume_backend_name`` is visible has its extra specs
    visible: its project is then ``lightos:project_name`` or "default".
    """
    facts = {}
    for vtype in volume_types or ():
        name = field(vtype, "name")
        specs = field(vtype, "extra_specs", {}) or {}
        if specs.get(BACKEND_SPEC):
            backend = specs[BACKEND_SPEC]
            project = specs.get(PROJECT_SPEC) or DEFAULT_LIGHTOS_PROJECT
        else:
            backend = lb_backend.cluster_of(name, {}, clusters or {})
            project = None
        encrypted = None if encrypted_type_names is None else name in encrypted_type_names
        facts[name] = TypeFacts(name, backend, project, encrypted)
    return facts


def _host_backend(volume, lightbits_backends):
    """The backend in an admin's ``os-vol-host-attr:host`` (host@backend#pool)."""
    host = field(volume, "os-vol-host-attr:host", "") or ""
    if "@" not in host:
        return None
    section = host.split("@", 1)[1].split("#", 1)[0]
    pool = host.split("#", 1)[1] if "#" in host else ""
    for candidate in (pool, section):
        if candidate and candidate in lightbits_backends:
            return candidate
    return pool or section or None


@dataclass(frozen=True)
class SourceFacts:
    """Where a Cinder snapshot lives: its volume's type, backend, Lightbits project."""

    volume_type: str | None
    backend: str | None
    lightos_project: str | None
    encrypted: bool | None


def source_facts(snapshot, volumes_by_id, types, lightbits_backends):
    volume = volumes_by_id.get(field(snapshot, "volume_id"))
    if volume is None:
        return SourceFacts(None, None, None, None)
    type_name = field(volume, "volume_type")
    typed = types.get(type_name)
    backend = typed.backend if typed else None
    backend = backend or _host_backend(volume, lightbits_backends)
    return SourceFacts(
        type_name,
        backend,
        typed.lightos_project if typed else None,
        typed.encrypted if typed else None,
    )


@dataclass(frozen=True)
class VolumePath:
    """The clone path of one entry: its snapshot, where it lives, why not."""

    entry: object  # snapshot_image.SnapshotEntry
    snapshot: object | None
    source: SourceFacts
    volume_type: str | None  # the type the new volume gets (None: the snapshot's)
    reasons: tuple = ()

    @property
    def blocked(self):
        return any(r.code in BLOCKING for r in self.reasons)


@dataclass(frozen=True)
class SnapshotPath:
    verdict: str  # FAST_CLONE, NOT_LIGHTBITS or UNAVAILABLE
    reasons: tuple  # Messages, every volume's, root first
    volumes: tuple  # VolumePath per entry, root first
    min_disk: int = 0  # the image's (GiB): a launch makes the root at least this

    @property
    def refusals(self):
        """The reasons a launch is refused for (up front)."""
        return tuple(r for r in self.reasons if r.code in BLOCKING)


def _about(entry):
    return {"role": entry.role, "snapshot": entry.snapshot_id, "device": entry.device_name or ""}


def check_snapshot(entry, snapshot):
    """Reasons the snapshot itself gives (missing, error, not available)."""
    about = _about(entry)
    if snapshot is None:
        return [msg(SNAPSHOT_MISSING, **about)]
    status = field(snapshot, "status", "") or "unknown"
    if status in SNAPSHOT_ERROR_STATUSES:
        return [msg(SNAPSHOT_ERROR, status=status, **about)]
    if status != "available":
        return [msg(SNAPSHOT_NOT_AVAILABLE, status=status, **about)]
    return []


def check_backend(entry, source, lightbits_backends):
    about = _about(entry)
    if source.backend is None:
        return [msg(SNAPSHOT_BACKEND_UNKNOWN, **about)]
    if source.backend not in lightbits_backends:
        return [msg(SNAPSHOT_OTHER_BACKEND, backend=source.backend, **about)]
    return []


def check_type(entry, source, type_name, types):
    """Reasons a chosen type gives (None, or the snapshot's own: none)."""
    if not type_name or type_name == source.volume_type:
        return []
    about = {**_about(entry), "type": type_name}
    chosen = types.get(type_name)
    if chosen is None:
        return [msg(TYPE_MISSING, **about)]
    found, unseen = [], False
    if chosen.encrypted is None or source.encrypted is None:
        unseen = True
    elif chosen.encrypted != source.encrypted:
        found.append(msg(TYPE_ENCRYPTION_DIFFERS, encrypted=chosen.encrypted, **about))
    if chosen.backend is None or source.backend is None:
        unseen = True
    elif chosen.backend != source.backend:
        found.append(
            msg(
                TYPE_OTHER_BACKEND,
                backend=chosen.backend,
                snapshot_backend=source.backend,
                **about,
            )
        )
    if chosen.lightos_project is None or source.lightos_project is None:
        unseen = True
    elif chosen.lightos_project != source.lightos_project:
        params = {"project": chosen.lightos_project, "snapshot_project": source.lightos_project}
        found.append(msg(TYPE_OTHER_PROJECT, **params, **about))
    if unseen and not found:
        found.append(msg(TYPE_NOT_CHECKED, **about))
    return found


def check_min_disk(root, snapshot, min_disk):
    """An inherited ``min_disk`` above the root's size: Nova refuses to boot
    the image itself on a volume of that size (nova/compute/api.py 862-869,
    VolumeSmallerThanMinDisk); a launch must make the root volume larger."""
    size = root.volume_size or int(field(snapshot, "size", 0) or 0)
    if min_disk and size and int(min_disk) > size:
        return [msg(MIN_DISK_ABOVE_SNAPSHOT, min_disk=int(min_disk), size=size, **_about(root))]
    return []


def snapshot_path(
    entries,
    snapshots,
    volumes_by_id,
    types,
    lightbits_backends,
    *,
    root_type=None,
    data_type=None,
    min_disk=0,
):
    """The SnapshotPath of ``entries`` (root first: a snapshot image's
    ``entries``, or ``[volume_snapshot_entry(snapshot)]``).

    snapshots: snapshot id -> Cinder snapshot (absent: 404 for this user).
    volumes_by_id: the snapshots' source volumes by id (absent: not visible).
    types: type_facts(). lightbits_backends: backend names of Lightbits
    clusters (the CLUSTERS setting's keys). root_type / data_type: the type
    chosen for the new volumes; None keeps each snapshot's own (an entry's
    own ``volume_type`` wins when the image names one, as in Nova).
    """
    lightbits_backends = set(lightbits_backends or ())
    paths = []
    for entry in entries:
        snapshot = snapshots.get(entry.snapshot_id)
        source = (
            source_facts(snapshot, volumes_by_id, types, lightbits_backends)
            if snapshot is not None
            else SourceFacts(None, None, None, None)
        )
        chosen = entry.volume_type or (root_type if entry.role == "root" else data_type)
        reasons = check_snapshot(entry, snapshot)
        if snapshot is not None:
            reasons += check_backend(entry, source, lightbits_backends)
            reasons += check_type(entry, source, chosen, types)
        if entry is entries[0]:
            reasons += check_min_disk(entry, snapshot, min_disk)
        paths.append(VolumePath(entry, snapshot, source, chosen, tuple(reasons)))
    reasons = tuple(r for p in paths for r in p.reasons)
    if any(p.blocked for p in paths):
        verdict = UNAVAILABLE
    elif any(r.code == SNAPSHOT_OTHER_BACKEND for r in reasons):
        verdict = NOT_LIGHTBITS
    else:
        verdict = FAST_CLONE
    return SnapshotPath(verdict, reasons, tuple(paths), int(min_disk or 0))


def root_on_lightbits(path, lightbits_backends):
    """A snapshot image is a Lightbits image when its root snapshot's volume
    is on a Lightbits backend, whatever Glance's default store is."""
    root = path.volumes[0] if path.volumes else None
    return bool(root and root.snapshot is not None and root.source.backend in lightbits_backends)
