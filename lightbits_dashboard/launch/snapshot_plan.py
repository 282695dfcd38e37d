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

"""A launch from a snapshot image or a volume snapshot: what to ask Cinder
and Nova for (plain Python).

Per instance, one volume per entry of the image (root first), each a Cinder
create from its snapshot (on Lightbits a clone, no bytes copied), and the
server booted on them with Nova's bdm v2 as Nova itself would map the
image: device, boot index and ``delete_on_termination`` from the image's
entries (nova/compute/api.py ``_get_image_defined_bdms`` 955-976). Sizes
are at least the snapshot's (Cinder refuses less: cinder/volume/flows/api/
create_volume.py ``_extract_size`` 175-180); the root is made at least the
image's ``min_disk`` too, so the volume is what Nova would accept for it.
"""

from dataclasses import dataclass

from lightbits_dashboard.launch import quota, sizing
from lightbits_dashboard.message import msg
from lightbits_dashboard.model import field

ROOT = "root"
DATA = "data"
SIZE_BELOW_SNAPSHOT = "size_below_snapshot"  # size, snapshot_size
NO_ENTRIES = "no_snapshot_entries"
PLAN_REFUSALS = (SIZE_BELOW_SNAPSHOT, NO_ENTRIES)


@dataclass(frozen=True)
class VolumeRequest:
    """One Cinder volume each instance gets, and how Nova attaches it."""

    role: str  # ROOT or DATA
    ordinal: int  # 0 for the root, 1.. for the data volumes in image order
    snapshot_id: str
    size: int  # GiB
    volume_type: str | None  # None: the snapshot's (Cinder's default for it)
    quota_type: str | None  # the type the volume counts against (None: unknown)
    device_name: str | None = None
    boot_index: int | None = None
    delete_on_termination: bool = False
    disk_bus: str | None = None
    device_type: str | None = None

    def volume_name(self, server_name):
        if self.role == ROOT:
            return sizing.boot_volume_name(server_name)
        return f"{server_name}-data-{self.ordinal}"


def _snapshot_size(volume_path):
    size = volume_path.entry.volume_size or field(volume_path.snapshot, "size", 0)
    return int(size or 0)


def volume_requests(path, *, root_size=None, root_delete_on_termination=None):
    """(requests, refusals): the VolumeRequests of one instance, or the
    reasons (Messages) the launch is refused for.

    path: snapshot_path.SnapshotPath (its refusals are the launch's).
    root_size: the size the user asked for (GiB); None: the smallest that
      works (the snapshot's, or the path's ``min_disk`` when larger).
    root_delete_on_termination: the user's choice; None keeps the image's.
    """
    refusals = list(path.refusals)
    if not path.volumes:
        return (), [msg(NO_ENTRIES)]
    requests = []
    for ordinal, volume_path in enumerate(path.volumes):
        entry, snapshot_size = volume_path.entry, _snapshot_size(volume_path)
        size = max(snapshot_size, 1)
        delete = entry.delete_on_termination
        if ordinal == 0:
            size = max(size, path.min_disk)
            if root_size is not None:
                if int(root_size) < snapshot_size:
                    refusals.append(
                        msg(SIZE_BELOW_SNAPSHOT, size=int(root_size), snapshot_size=snapshot_size)
                    )
                size = max(int(root_size), snapshot_size, 1)
            if root_delete_on_termination is not None:
                delete = bool(root_delete_on_termination)
        requests.append(
            VolumeRequest(
                role=ROOT if ordinal == 0 else DATA,
                ordinal=ordinal,
                snapshot_id=entry.snapshot_id,
                size=size,
                volume_type=volume_path.volume_type,
                quota_type=volume_path.volume_type or volume_path.source.volume_type,
                device_name=entry.device_name,
                boot_index=0 if ordinal == 0 else entry.boot_index,
                delete_on_termination=delete,
                disk_bus=entry.disk_bus,
                device_type=entry.device_type,
            )
        )
    return tuple(requests), refusals


def bdm_entry(request, volume_id):
    """Nova's bdm v2 entry attaching an existing volume as the image says."""
    entry = {
        "source_type": "volume",
        "destination_type": "volume",
        "uuid": volume_id,
        # -1: not a boot device (nova/block_device.py get_root_bdm)
        "boot_index": -1 if request.boot_index is None else request.boot_index,
        "delete_on_termination": bool(request.delete_on_termination),
    }
    for key in ("device_name", "disk_bus", "device_type"):
        if getattr(request, key):
            entry[key] = getattr(request, key)
    return entry


def block_device_mapping(requests, volume_ids):
    """Nova's ``block_device_mapping_v2`` for one server: ``volume_ids`` in
    the order of ``requests`` (root first)."""
    return [bdm_entry(r, v) for r, v in zip(requests, volume_ids, strict=True)]


def quota_needs(count, requests, vcpus=0, ram_mb=0):
    """The quota a launch of ``count`` instances consumes, every volume counted:
    volumes and gigabytes in total and per volume type (when known)."""
    needs = {
        "instances": count,
        "cores": vcpus * count,
        "ram": ram_mb * count,
        "volumes": len(requests) * count,
        "gigabytes": sum(r.size for r in requests) * count,
    }
    for request in requests:
        if request.quota_type:
            for name, amount in (("volumes", 1), ("gigabytes", request.size)):
                key = f"{name}_{request.quota_type}"
                needs[key] = needs.get(key, 0) + amount * count
    return needs


def refusals(count, requests, usage, vcpus=0, ram_mb=0):
    """quota.refusals for the whole launch (every instance, every volume)."""
    return quota.refusals(quota_needs(count, requests, vcpus, ram_mb), usage)
