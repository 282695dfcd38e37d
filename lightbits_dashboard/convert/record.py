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

"""The conversion record: in the temporary volume's Cinder metadata while it
exists, then in the new image's properties; both images point to each other.

Like the launch record (``launch.record``), no database: a conversion
survives a page reload and a Horizon restart because what is needed to show,
finish or clean it up lives on what it created.
"""

from dataclasses import dataclass, replace

from lightbits_dashboard.launch.record import fit

PREFIX = "lightbits_convert_"
# Image properties: the new image names its source, the source its copy.
CONVERTED_FROM = "lightbits_converted_from"
CONVERTED_TO = "lightbits_converted_to"
IMAGE_STATE = PREFIX + "state"  # on the new image: active until dismissed
IMAGE_ROUTE = PREFIX + "route"  # on the new image: clone or glance
# On the new image: the source's virtual size in bytes. Glance's virtual_size
# is read-only and stays unset for an image Cinder uploaded from a volume.
SOURCE_VIRTUAL_SIZE = PREFIX + "source_virtual_size"

COPYING = "copying"  # temporary volume from the image: Cinder downloads + converts
CONVERTING = "converting"  # upload-to-image as raw/bare: Cinder clones the volume
REGISTERING = "registering"  # Glance registers the clone; metadata carried over
ACTIVE = "active"
ERROR = "error"
INTERRUPTED = "interrupted"  # shown only: in progress, but its driver is gone
STAGES = (COPYING, CONVERTING, REGISTERING)

ROUTE_CLONE = "clone"  # the new image volume is Cinder's clone of the temporary volume
ROUTE_GLANCE = "glance"  # Cinder uploaded the bytes through Glance instead
ROUTE_UNKNOWN = "unknown"  # the project cannot see the image volume


TEMPORARY_PREFIX = "lb-convert-"


def temporary_volume_name(source_id):
    return f"{TEMPORARY_PREFIX}{source_id}"


def is_temporary_volume(name):
    """Only the temporary volume holds a live record: Cinder's clone of it (the
    new image volume) gets a copy of its metadata, which the engine removes."""
    return (name or "").startswith(TEMPORARY_PREFIX)


def record_keys(metadata):
    """The conversion's keys in a volume's metadata."""
    return sorted(k for k in (metadata or {}) if k.startswith(PREFIX))


@dataclass(frozen=True)
class ConversionRecord:
    conversion_id: str
    source_id: str
    source_name: str
    new_name: str
    replace: bool
    stage: str = COPYING
    image_id: str | None = None  # the new image, once Cinder answered
    error: str = ""  # a failure code
    failed_stage: str = ""
    reason: str = ""  # Cinder's, Glance's or the plugin's own words
    route: str = ""

    def with_(self, **changes):
        return replace(self, **changes)


def _key(name):
    return PREFIX + name


def encode(rec):
    """Cinder metadata (str -> str, values <= 255 characters)."""
    metadata = {
        _key("id"): rec.conversion_id,
        _key("source"): rec.source_id,
        _key("source_name"): fit(rec.source_name),
        _key("name"): fit(rec.new_name),
        _key("replace"): "1" if rec.replace else "0",
    }
    metadata.update(state_keys(rec))
    return metadata


def state_keys(rec):
    """The keys that change while a conversion runs."""
    keys = {_key("stage"): rec.stage}
    for name in ("image_id", "error", "failed_stage", "reason", "route"):
        value = getattr(rec, name)
        if value:
            keys[_key(name)] = fit(str(value))
    return keys


def decode(metadata):
    """The ConversionRecord in a volume's metadata, or None."""
    metadata = metadata or {}
    if _key("id") not in metadata or _key("source") not in metadata:
        return None
    return ConversionRecord(
        conversion_id=metadata[_key("id")],
        source_id=metadata[_key("source")],
        source_name=metadata.get(_key("source_name"), ""),
        new_name=metadata.get(_key("name"), ""),
        replace=metadata.get(_key("replace")) == "1",
        stage=metadata.get(_key("stage"), ERROR),
        image_id=metadata.get(_key("image_id")) or None,
        error=metadata.get(_key("error"), ""),
        failed_stage=metadata.get(_key("failed_stage"), ""),
        reason=metadata.get(_key("reason"), ""),
        route=metadata.get(_key("route"), ""),
    )


def new_image_properties(rec):
    """What the new image says about its conversion."""
    return {
        CONVERTED_FROM: rec.source_id,
        IMAGE_STATE: rec.stage,
        IMAGE_ROUTE: rec.route or ROUTE_UNKNOWN,
        _key("id"): rec.conversion_id,
        _key("source_name"): fit(rec.source_name),
    }


def source_virtual_size(properties):
    """The virtual size (bytes) a converted image carries from its source, or None."""
    value = str((properties or {}).get(SOURCE_VIRTUAL_SIZE) or "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def from_image(image_id, name, properties):
    """The record of a finished conversion, from the new image's properties."""
    properties = properties or {}
    if not properties.get(CONVERTED_FROM) or not properties.get(IMAGE_STATE):
        return None
    return ConversionRecord(
        conversion_id=properties.get(_key("id"), image_id),
        source_id=properties[CONVERTED_FROM],
        source_name=properties.get(_key("source_name"), ""),
        new_name=name,
        replace=False,
        stage=properties[IMAGE_STATE],
        image_id=image_id,
        route=properties.get(IMAGE_ROUTE, ROUTE_UNKNOWN),
    )


def row_state(rec, *, alive):
    """The state a row shows: a stage, active, error or interrupted."""
    if rec.stage in STAGES and not alive:
        return INTERRUPTED
    return rec.stage
