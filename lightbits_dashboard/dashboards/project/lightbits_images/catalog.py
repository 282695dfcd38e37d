"""Which images live on a Lightbits-backed Glance store (plain Python).

An image is a Lightbits image when its ``stores`` field names a Lightbits
store, or when a visible location is ``cinder://<store>/<volume id>`` of one
(``cinder://<volume id>`` without a store counts only when exactly one
Lightbits store is configured).
"""

import re

from lightbits_dashboard.clone_path import field
from lightbits_dashboard.image_locations import cinder_locations, image_stores


def image_store(image, lightbits_stores):
    """The Lightbits store holding ``image``, or None."""
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


def image_volume_id(image):
    """The image volume's id from a visible cinder:// location, or None."""
    locations = cinder_locations(image)
    return locations[0][1] if locations else None


class VolumeIndex:
    """The project's volumes by id and by name, to find image volumes in O(1)."""

    def __init__(self, volumes):
        self.by_id, self.by_name = {}, {}
        for volume in volumes:
            self.by_id[field(volume, "id")] = volume
            self.by_name.setdefault(field(volume, "name"), volume)

    def image_volume(self, image):
        """The image volume: by the cinder:// location id, else by ``image-<id>``."""
        wanted_id = image_volume_id(image)
        if wanted_id and wanted_id in self.by_id:
            return self.by_id[wanted_id]
        return self.by_name.get("image-{}".format(field(image, "id")))


def lightbits_images(images, lightbits_stores):
    """[(image, store)] for the images that live on a Lightbits store."""
    result = []
    for image in images:
        store = image_store(image, lightbits_stores)
        if store:
            result.append((image, store))
    return result


_CACHE_NAME = re.compile(r"^image-([0-9a-f-]{36})$")
_ID = re.compile(r"^[0-9a-f]{32}$")


def looks_like_id(value):
    """A Keystone project id (32 hex digits), not a name."""
    return bool(_ID.match(value or ""))


def cache_entries(volumes):
    """{image id: [volumes]}: Cinder's image-volume cache entries among the
    internal tenant's ``volumes``: named ``image-<image id>`` without
    ``glance_image_id`` metadata (Glance's own image volumes and upload
    clones have it). Seen in the local cloud: an entry carries only
    ``readonly: True`` metadata, ``source_volid`` (the boot volume it was
    cloned from) and no ``volume_image_metadata``."""
    found = {}
    for volume in volumes:
        match = _CACHE_NAME.match(field(volume, "name", "") or "")
        if not match or (field(volume, "metadata", {}) or {}).get("glance_image_id"):
            continue
        found.setdefault(match.group(1), []).append(volume)
    return found
