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

"""Snapshot images: instance snapshots of volume-backed servers (plain Python).

What Nova makes on ``server image create`` of a server that boots from a
volume (nova 2026.2, compute/api.py ``snapshot_volume_backed`` lines
3504-3641): one Cinder snapshot per volume (``create_snapshot_force``,
named "snapshot for <image name>", line 3605), and an image of size 0
(line 3519) whose ``block_device_mapping`` property lists them as bdm v2
entries (``source_type: snapshot``, ``snapshot_id``, ``volume_size``,
``boot_index``, ``delete_on_termination``, ``device_name``, ``disk_bus``,
``device_type``: block_device.py ``snapshot_from_bdm`` 302-313; every other
bdm field present and null, ``volume_type`` included: BlockDeviceDict
87-89), ``bdm_v2: True`` and ``root_device_name`` (lines 3526-3527,
3637-3639). Entries of swap, ephemeral or blank disks come first in that
list (mapped before the volumes, lines 3536-3543). Nova writes the list as
a JSON string (image/glance.py ``_convert_to_string``, 917-942).

Such an image is told apart before any store or location rule: its data is
its Cinder snapshots. The 0-byte upload Nova makes to activate it leaves,
in a Lightbits default store, an empty 1 GiB image volume ``image-<id>``:
a placeholder, never its data.

The source server is not recorded: Nova sets ``instance_uuid`` only on
snapshots of image-backed servers (compute/utils.py ``create_image``
1267-1271); ``snapshot_volume_backed`` calls
``initialize_instance_snapshot_metadata`` (compute/utils.py 1286-1336)
directly, which copies the server's own image properties and ``min_disk``
(system metadata, nova/utils.py ``get_image_from_system_metadata`` 564-590,
``SM_INHERITABLE_KEYS`` 59-61) and adds ``instance_owner`` only when
another project's user (an admin) made the snapshot (1309-1313). An ``instance_uuid``
there is inherited and names another server, so it is not used:
``source_server_id`` reads the root snapshot's volume's attachment instead.
"""

import json
from dataclasses import dataclass, replace

from lightbits_dashboard.model import field, image_id_of, image_volume_name

SOURCE_SNAPSHOT = "snapshot"
# nova/compute/api.py snapshot_volume_backed: the name of each Cinder snapshot
# (English: Nova translates it with the API service's locale, usually none).
NOVA_SNAPSHOT_NAME = "snapshot for {}"
NOVA_SNAPSHOT_PREFIX = "snapshot for "
# Nova's legacy (bdm v1) fields a snapshot entry may carry.
_LEGACY_SNAPSHOT_KEY = "snapshot_id"
ROOT = "root"
DATA = "data"


@dataclass(frozen=True)
class SnapshotEntry:
    """One volume of a snapshot image: the Cinder snapshot it is re-made from."""

    snapshot_id: str
    volume_size: int | None  # GiB; None when the entry does not say
    device_name: str | None = None
    boot_index: int | None = None  # 0 for the root; None: not bootable (-1, None)
    delete_on_termination: bool = False
    volume_type: str | None = None
    disk_bus: str | None = None
    device_type: str | None = None

    @property
    def role(self):
        return ROOT if self.boot_index == 0 else DATA


@dataclass(frozen=True)
class SnapshotImage:
    """What a snapshot image holds: a root entry and its data entries."""

    image_id: str
    root: SnapshotEntry
    data: tuple = ()  # SnapshotEntry of every other snapshot entry, in image order
    root_device_name: str | None = None
    min_disk: int = 0
    other_entries: int = 0  # swap/ephemeral/blank/volume/image entries (not re-made)
    instance_owner: str | None = None  # project of the server when an admin snapshotted it

    @property
    def entries(self):
        return (self.root,) + tuple(self.data)

    @property
    def snapshot_ids(self):
        return [entry.snapshot_id for entry in self.entries]

    @property
    def placeholder_name(self):
        """The empty volume Glance's cinder store made for the 0-byte upload."""
        return image_volume_name(self.image_id)


def _prop(image, name):
    """An image property: top-level (Glance v2, Horizon) or in ``properties``."""
    value = field(image, name)
    if value is None:
        value = field(field(image, "properties", {}), name)
    return value


def parse_mapping(value):
    """The ``block_device_mapping`` entries as a list of dicts, or [] when
    absent or malformed (a JSON string as Glance keeps it, or a list)."""
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def is_bdm_v2(image):
    """Nova reads the entries as bdm v2 when ``bdm_v2`` is set at all
    (nova/compute/api.py ``_get_image_defined_bdms`` line 960: ``not
    properties.get('bdm_v2', False)`` means legacy); it writes True, which
    Glance keeps as the string "True"."""
    value = _prop(image, "bdm_v2")
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0", "no", "off")
    return bool(value)


def boot_index(value):
    """0 for the boot device, a positive order, or None (not bootable).

    nova/block_device.py: a boot index given as a string is made an int
    (``_validate`` 118-123); -1 and None both mean "not a boot device"
    (``get_root_bdm`` 440-444 looks for 0)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        index = int(str(value).strip())
    except ValueError:
        return None
    return index if index >= 0 else None


def _size(value):
    try:
        size = int(value)
    except (TypeError, ValueError):
        return None
    return size if size > 0 else None


def _flag(value):
    """nova/block_device.py BlockDeviceDict: strutils.bool_from_string."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true", "on", "y", "yes")
    return bool(value)


def _strip_dev(name):
    return (name or "").removeprefix("/dev/")


def _v2_entry(raw):
    if raw.get("source_type") != SOURCE_SNAPSHOT or not raw.get("snapshot_id"):
        return None
    if raw.get("destination_type", "volume") != "volume":
        return None
    return _entry(raw, boot_index(raw.get("boot_index")))


def _legacy_entry(raw, root_device_name):
    """nova/block_device.py ``from_legacy_mapping`` (316-357): a legacy entry with a
    snapshot_id is a snapshot; it is the root when its device is the image's
    ``root_device_name``."""
    if not raw.get(_LEGACY_SNAPSHOT_KEY) or raw.get("no_device"):
        return None
    is_root = root_device_name and _strip_dev(raw.get("device_name")) == _strip_dev(
        root_device_name
    )
    return _entry(raw, 0 if is_root else None)


def _first_legacy_is_root(raws, entries):
    """from_legacy_mapping without a root device name: the first entry that
    is not a swap/ephemeral/blank disk boots (block_device.py 334-339)."""
    first = next((r for r in raws if not _is_blank_legacy(r)), None)
    if first is None or not first.get(_LEGACY_SNAPSHOT_KEY) or not entries:
        return entries
    return [replace(entries[0], boot_index=0)] + entries[1:]


def _is_blank_legacy(raw):
    virtual = raw.get("virtual_name") or ""
    return virtual == "swap" or virtual.startswith("ephemeral") or bool(raw.get("no_device"))


def _entry(raw, index):
    return SnapshotEntry(
        snapshot_id=str(raw["snapshot_id"]),
        volume_size=_size(raw.get("volume_size")),
        device_name=raw.get("device_name") or None,
        boot_index=index,
        delete_on_termination=_flag(raw.get("delete_on_termination")),
        volume_type=raw.get("volume_type") or None,
        disk_bus=raw.get("disk_bus") or None,
        device_type=raw.get("device_type") or None,
    )


def snapshot_image(image):
    """The image's SnapshotImage, or None when it is not a snapshot image
    (no entry of ``boot_index`` 0 whose source is a Cinder snapshot)."""
    raws = parse_mapping(_prop(image, "block_device_mapping"))
    if not raws:
        return None
    root_device_name = _prop(image, "root_device_name") or None
    v2 = is_bdm_v2(image)
    entries, others = [], 0
    for raw in raws:
        entry = _v2_entry(raw) if v2 else _legacy_entry(raw, root_device_name)
        if entry is None:
            others += 1
        else:
            entries.append(entry)
    if not v2 and not root_device_name:
        entries = _first_legacy_is_root(raws, entries)
    roots = [e for e in entries if e.boot_index == 0]
    if not roots:
        return None
    root = roots[0]
    return SnapshotImage(
        image_id=field(image, "id"),
        root=root,
        data=tuple(e for e in entries if e is not root),
        root_device_name=root_device_name,
        min_disk=_size(field(image, "min_disk")) or 0,
        other_entries=others,
        instance_owner=_prop(image, "instance_owner") or None,
    )


def is_snapshot_image(image):
    return snapshot_image(image) is not None


def is_placeholder(volume, snapshot_images_by_id):
    """A Cinder volume ``image-<id>`` of a snapshot image: its empty placeholder.

    ``snapshot_images_by_id``: image id -> SnapshotImage."""
    return image_id_of(volume) in snapshot_images_by_id


def volume_snapshot_entry(snapshot):
    """The one root entry of a Cinder volume snapshot launched as an instance
    ("Launch from snapshot"): the volume keeps the snapshot's size."""
    return SnapshotEntry(
        snapshot_id=str(field(snapshot, "id")),
        volume_size=_size(field(snapshot, "size")),
        boot_index=0,
        delete_on_termination=False,
    )


def source_server_id(root_snapshot, volumes_by_id):
    """The server the root snapshot's volume is attached to now, or None.

    ``volumes_by_id``: Cinder volume id -> volume (its ``attachments``)."""
    volume = volumes_by_id.get(field(root_snapshot, "volume_id"))
    for attachment in field(volume, "attachments", []) or []:
        server = field(attachment, "server_id")
        if server:
            return server
    return None


def nova_snapshot_name(snapshot):
    """The image name in a Cinder snapshot Nova made ("snapshot for <name>"), or None."""
    name = field(snapshot, "name", "") or ""
    return name[len(NOVA_SNAPSHOT_PREFIX) :] if name.startswith(NOVA_SNAPSHOT_PREFIX) else None
