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

"""The domain rules both panels and the launch engine share, once (plain Python).

Where a Glance image's data lives (its stores and cinder:// locations),
which store holds it on Lightbits, how its image volume is named and found,
which Cinder statuses allow a delete, whose project a volume is in. Images
and volumes are API objects or dicts with Glance's and Cinder's field names.
"""

import re

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# cinder://<volume id> (single store) or cinder://<store id>/<volume id> (multi-store).
_CINDER_URL = re.compile(r"^cinder://(?:([^/]+)/)?([^/]+)/?$")

# Glance's cinder store names the volume holding an image "image-<image id>".
IMAGE_VOLUME_NAME = "image-{}"
_IMAGE_VOLUME_NAME = re.compile(rf"^image-({UUID})$")
# What every image volume's name contains: Cinder's like filter ``name~``
# (LIKE '%image-%', microversion 3.34+) lists only the candidates.
IMAGE_VOLUME_LIKE = {"name~": "image-"}


def owned_image_volumes(project_id):
    """Cinder's metadata filter for the image volumes a project holds.

    Glance's cinder store (glance_store/_drivers/cinder/store.py, ``add``)
    and Cinder's upload-to-image clone (cinder/volume/manager.py,
    ``_clone_image_volume_and_add_location``) both record
    ``image_owner: <the project of the request>`` on an image volume they
    create in that project; Cinder's default resource_filters.json allows
    ``metadata`` to every user (``name~`` to admins only)."""
    return {"metadata": {"image_owner": project_id}}


# Statuses in which Cinder deletes a volume (cinder/volume/api.py, API.delete).
VOLUME_DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")
# The attribute Cinder shows a volume's project in (to admins).
VOLUME_PROJECT_ATTR = "os-vol-tenant-attr:tenant_id"
# The service types a block-storage endpoint is registered under.
BLOCK_STORAGE_SERVICES = ("block-storage", "block-store", "volume", "volumev3")
PROJECT_URLS = "horizon:project:lightbits_images:"  # + a URL name of the project panel
PROJECT_INDEX_URL = PROJECT_URLS + "index"
ADMIN_URLS = "horizon:admin:lightbits_image_volumes:"  # + a URL name of the admin panel
ADMIN_INDEX_URL = ADMIN_URLS + "index"


def field(obj, name, default=None):
    """A field of an API object or of a dict (None-safe)."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        value = obj.get(name, default)
    else:
        value = getattr(obj, name, default)
    return default if value is None else value


def split_commas(text):
    """ "a, b,,c" -> ["a", "b", "c"] (Glance's list-valued fields)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def volume_project(volume):
    """The volume's project id, when Cinder shows it (to admins), else None."""
    return field(volume, VOLUME_PROJECT_ATTR)


def image_volume_name(image_id):
    return IMAGE_VOLUME_NAME.format(image_id)


def named_image_id(volume):
    """The image id in an ``image-<image id>`` volume's name, else None."""
    match = _IMAGE_VOLUME_NAME.match(field(volume, "name", "") or "")
    return match.group(1) if match else None


def image_id_of(volume):
    """The image an image-<uuid> volume belongs to: its glance_image_id
    metadata (Glance's image volumes and upload clones), else its name."""
    metadata = field(volume, "metadata", {}) or {}
    return metadata.get("glance_image_id") or named_image_id(volume)


def image_stores(image):
    """The store ids in the image's ``stores`` field."""
    return split_commas(field(image, "stores", ""))


def cinder_locations(image):
    """[(store or None, volume id)] from the image's visible cinder:// locations."""
    urls = [field(loc, "url", "") for loc in field(image, "locations", []) or []]
    direct = field(image, "direct_url")
    if direct:
        urls.append(direct)
    found = []
    for url in urls:
        match = _CINDER_URL.match(url or "")
        if match and (match.group(1), match.group(2)) not in found:
            found.append((match.group(1), match.group(2)))
    return found


def lightbits_store(image, lightbits_stores):
    """The Lightbits store holding ``image``, or None.

    An image is a Lightbits image when its ``stores`` field names a Lightbits
    store, or when a visible location is ``cinder://<store>/<volume id>`` of
    one (``cinder://<volume id>`` without a store counts only when exactly one
    Lightbits store is configured).
    """
    for store in image_stores(image):
        if store in lightbits_stores:
            return store
    only = next(iter(lightbits_stores)) if len(lightbits_stores) == 1 else None
    for store, _volume_id in cinder_locations(image):
        if store in lightbits_stores:
            return store
        if store is None and only:
            return only
    return None


def lightbits_images(images, lightbits_stores):
    """[(image, store)] for the images that live on a Lightbits store."""
    found = [(image, lightbits_store(image, lightbits_stores)) for image in images]
    return [(image, store) for image, store in found if store]


def image_volume_id(image):
    """The image volume's id from a visible cinder:// location, or None."""
    locations = cinder_locations(image)
    return locations[0][1] if locations else None


class VolumeIndex:
    """Volumes by id and by name, to find image volumes in O(1)."""

    def __init__(self, volumes):
        self.by_id, self.by_name = {}, {}
        for volume in volumes:
            self.by_id[field(volume, "id")] = volume
            self.by_name.setdefault(field(volume, "name"), volume)

    def image_volume(self, image):
        """The image volume: by the cinder:// location id, else by its name."""
        wanted_id = image_volume_id(image)
        if wanted_id and wanted_id in self.by_id:
            return self.by_id[wanted_id]
        return self.by_name.get(image_volume_name(field(image, "id")))


_PROJECT_ID = re.compile(r"^[0-9a-f]{32}$")


def looks_like_id(value):
    """A Keystone project id (32 hex digits), not a name."""
    return bool(_PROJECT_ID.match(value or ""))


def cache_entries(volumes):
    """{image id: [volumes]}: Cinder's image-volume cache entries among the
    internal tenant's ``volumes``: named ``image-<image id>`` without
    ``glance_image_id`` metadata (Glance's own image volumes and upload
    clones have it). Seen in the local cloud: an entry carries only
    ``readonly: True`` metadata, ``source_volid`` (the boot volume it was
    cloned from) and no ``volume_image_metadata``."""
    found = {}
    for volume in volumes:
        image_id = named_image_id(volume)
        if not image_id or (field(volume, "metadata", {}) or {}).get("glance_image_id"):
            continue
        found.setdefault(image_id, []).append(volume)
    return found
