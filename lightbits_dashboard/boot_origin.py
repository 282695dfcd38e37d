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

"""Was a boot volume cloned or copied? Read from the Lightbits side.

Plain Python, no Django; the inventory build calls it with what it has
already listed (every Cinder volume, every Lightbits volume), no call of its
own.

Cinder's LightOS driver clones (``create_cloned_volume``) through a
temporary snapshot named ``for_clone_<new Cinder volume id>`` of the source
volume, creates the new Lightbits volume from it and deletes the snapshot
at once: the snapshot list never shows it, and the Lightbits side cannot
name the source. What stays is the clone's own ``sourceSnapshotName``. A
copy (Cinder's download + convert + write) makes a Lightbits volume with no
source snapshot.

A volume made from an image (``volume_image_metadata.image_id``) with no
``source_volid`` and no ``snapshot_id`` is a boot volume from the image:
a clone of the image's image volume (or of a cache entry of it) when its
Lightbits volume's source snapshot is ``for_clone_<its own id>``, a copy when
it has no source snapshot. A volume cloned from another volume or made from
a Cinder snapshot carries the image metadata too, but was not made from the
image: it is not counted.
"""

from lightbits_dashboard.model import field

CLONE_SNAPSHOT_PREFIX = "for_clone_"

CLONED = "cloned"
COPIED = "copied"
UNKNOWN = "unknown"  # its cluster did not answer, its Lightbits volume is missing, or odd


def origin(volume, side):
    """CLONED, COPIED or UNKNOWN for a boot volume made from an image on a
    Lightbits backend; None when it is not one (not from the image, or not on
    a configured Lightbits cluster).

    side: its inventory.LightbitsSide (None: not on a configured cluster)."""
    if field(volume, "source_volid") or field(volume, "snapshot_id") or side is None:
        return None
    if side.status != "found":
        return UNKNOWN
    source = side.volume.get("sourceSnapshotName") or ""
    if source == CLONE_SNAPSHOT_PREFIX + str(field(volume, "id")):
        return CLONED
    if not source and not side.volume.get("sourceSnapshotUUID"):
        return COPIED
    return UNKNOWN


def counts(made_from):
    """{"cloned": n, "copied": n, "unknown": n} of an image's boot volumes.

    made_from: the inventory's VolumeFacts of the volumes whose
    volume_image_metadata names the image."""
    result = {CLONED: 0, COPIED: 0, UNKNOWN: 0}
    for facts in made_from:
        found = origin(facts.volume, facts.lightbits)
        if found is not None:
            result[found] += 1
    return result
