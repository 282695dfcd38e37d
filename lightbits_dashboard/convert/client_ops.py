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

"""engine.CloudOps over a cinderclient (microversion >= 3.1) and a glanceclient
(v2) of the user, passed in: Horizon's own clients in the panels, the
official ones in the cloud tests. Imports no client and no Django."""

from lightbits_dashboard import model
from lightbits_dashboard.convert import record
from lightbits_dashboard.convert.engine import ImageState
from lightbits_dashboard.launch.orchestrator import VolumeState


def _gone(exc):
    return getattr(exc, "code", None) == 404 or type(exc).__name__ in ("NotFound", "HTTPNotFound")


def _unless_gone(get, resource_id):
    """get(resource_id), or None when the cloud says it is gone (404)."""
    try:
        return get(resource_id)
    except Exception as exc:
        if _gone(exc):
            return None
        raise


def _stores(image):
    return tuple(model.image_stores(image))


def _image_state(image):
    return ImageState(
        image.get("status", ""),
        _stores(image),
        dict(image),
        bool(image.get("protected")),
        bool(image.get("os_hash_value")),
    )


class ClientCloudOps:
    def __init__(self, cinder, glance, project_id, error_message=lambda volume_id: ""):
        self._hashes = None  # glance_hashes_locations, asked once
        self.cinder, self.glance, self.project_id = cinder, glance, project_id
        self.error_message = error_message  # Cinder's user message for a failed volume

    # -- Cinder --
    def create_volume(self, name, size, volume_type, image_id, metadata):
        volume = self.cinder.volumes.create(
            size, name=name, volume_type=volume_type, imageRef=image_id, metadata=metadata
        )
        return volume.id

    def _volume(self, volume_id):
        return _unless_gone(self.cinder.volumes.get, volume_id)

    def get_volume(self, volume_id):
        volume = self._volume(volume_id)
        return None if volume is None else self._volume_state(volume_id, volume)

    def _volume_state(self, volume_id, volume):
        error = self.error_message(volume_id) if volume.status == "error" else ""
        return VolumeState(volume.status, error, dict(getattr(volume, "metadata", {}) or {}))

    def set_volume_metadata(self, volume_id, metadata):
        self.cinder.volumes.set_metadata(volume_id, metadata)

    def remove_volume_metadata(self, volume_id, keys):
        self.cinder.volumes.delete_metadata(volume_id, list(keys))

    def delete_volume(self, volume_id):
        self.cinder.volumes.delete(volume_id)

    def upload_to_image(self, volume_id, name, visibility):
        _resp, body = self.cinder.volumes.upload_to_image(
            volume_id, False, name, "bare", "raw", visibility=visibility, protected=False
        )
        return body["os-volume_upload_image"]["image_id"]

    def volumes_named(self, name):
        found = self.cinder.volumes.list(search_opts={"name": name})
        return [v.id for v in found if v.name == name]

    def upload_route(self, image_id, volume_id):
        """clone: the image volume's source is the temporary volume (Cinder's
        ``_clone_image_volume``); glance: Glance's cinder store made it
        (``glance_image_id`` metadata); unknown when the project cannot see it."""
        for volume in self._image_volumes(image_id):
            if getattr(volume, "source_volid", None) == volume_id:
                return record.ROUTE_CLONE
            if (getattr(volume, "metadata", None) or {}).get("glance_image_id") == image_id:
                return record.ROUTE_GLANCE
        return record.ROUTE_UNKNOWN

    def image_volume_ids(self, image_id):
        return list(dict.fromkeys(v.id for v in self._image_volumes(image_id)))

    def _image_volumes(self, image_id):
        """The image's volumes the project sees: by cinder:// location, by name."""
        image = self._image(image_id)
        for _store, volume_id in model.cinder_locations(image) if image else []:
            volume = self._volume(volume_id)
            if volume is not None:
                yield volume
        for volume_id in self.volumes_named(model.image_volume_name(image_id)):
            volume = self._volume(volume_id)
            if volume is not None:
                yield volume

    # -- Glance --
    def _image(self, image_id):
        return _unless_gone(self.glance.images.get, image_id)

    def get_image(self, image_id):
        image = self._image(image_id)
        return None if image is None else _image_state(image)

    def glance_hashes_locations(self):
        """Glance 29 (2024.2) on has the new location API (image API 2.17),
        through which Cinder registers an uploaded volume and after which
        Glance hashes it (do_secure_hash); Glance 28 (2024.1) takes the
        location in the image PATCH and never hashes it. Unknown: True."""
        if self._hashes is None:
            try:
                _resp, body = self.glance.http_client.get("/versions")
                ids = [v.get("id", "") for v in (body or {}).get("versions", [])]
                self._hashes = any(_version(i) >= (2, 17) for i in ids)
            except Exception:
                self._hashes = True
        return self._hashes

    def update_image(self, image_id, changes, remove=()):
        self.glance.images.update(image_id, remove_props=list(remove) or None, **changes)

    def add_tags(self, image_id, tags):
        for tag in tags:
            self.glance.image_tags.update(image_id, tag)

    def add_members(self, image_id, members):
        for member in members:
            try:
                self.glance.image_members.create(image_id, member)
            except Exception as exc:  # 409: a member already (a finished conversion)
                if getattr(exc, "code", None) != 409 and type(exc).__name__ != "HTTPConflict":
                    raise

    def half_made_images(self, name):
        owner = self.project_id
        found = self.glance.images.list(filters={"name": name, "owner": owner})
        return [
            i["id"]
            for i in found
            if i.get("status") != "active" and not i.get(record.CONVERTED_FROM)
        ]

    def delete_image(self, image_id):
        self.glance.images.delete(image_id)


def _version(version_id):
    """ "v2.17" -> (2, 17); anything else -> (0,)."""
    try:
        return tuple(int(part) for part in version_id.lstrip("v").split("."))
    except ValueError:
        return (0,)
