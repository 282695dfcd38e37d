"""A scripted cloud for the conversion engine: Cinder volumes and Glance images."""

from lightbits_dashboard.convert import preflight
from lightbits_dashboard.convert.engine import ImageState
from lightbits_dashboard.launch.orchestrator import VolumeState
from tests.unit.fake_volumes import GONE, FakeVolumes


def source(**changes):
    """A qcow2 image of project p1 in the Lightbits store, as preflight reads it."""
    values = dict(
        id="img-1",
        name="cirros",
        status="active",
        disk_format="qcow2",
        container_format="bare",
        owner="p1",
        visibility="private",
        size=12 * 1024**2,
        virtual_size=3 * 1024**3 + 1,
        store="lightbits",
    )
    values.update(changes)
    return preflight.Source(**values)


class FakeCloud(FakeVolumes):
    """``script`` keys (all optional):

    create: "refuse"; copy: "available" | "error" | "stuck" | "vanish";
    upload: "ok" | "refuse" | "error" (the volume goes to error while uploading);
    image: "active" | "killed" | "stuck"; stores: tuple; route: "clone" | "glance";
    fail_update: "new" | "source" | "protect"; delete_image_refusals: int;
    orphan: True (Cinder left an ``image-<id>`` volume); unhashed: True (Glance
    never sets os_hash_value).
    """

    log_reads = False

    def __init__(self, **script):
        super().__init__()
        self.script = script
        self.images = {}
        self.image_volumes = {}  # Cinder's clones made by upload-to-image, by name
        self.images["src"] = {"status": "active", "props": {}, "protected": False}
        self.refusals = script.get("delete_image_refusals", 0)

    # -- Cinder --
    def script_volume(self, name):
        if self.script.get("create") == "refuse":
            raise RuntimeError("VolumeLimitExceeded")
        steps = {
            "available": ["downloading", "available"],
            "error": ["error"],
            "stuck": [],
            "vanish": [GONE],
        }
        return steps[self.script.get("copy", "available")], "qemu-img failed"

    def get_volume(self, volume_id):
        if volume_id in self.image_volumes:
            image_volume = self.image_volumes[volume_id]
            return VolumeState(image_volume["status"], "", dict(image_volume["metadata"]))
        return super().get_volume(volume_id)

    def set_volume_metadata(self, volume_id, metadata):
        self._log("set_volume_metadata", volume_id, dict(metadata))
        if self.volumes[volume_id]["status"] == "uploading":
            raise RuntimeError("not allowed for volumes in uploading status")
        self.volumes[volume_id]["metadata"].update(metadata)

    def upload_to_image(self, volume_id, name, visibility):
        self._log("upload_to_image", volume_id, name, visibility)
        if self.script.get("upload") == "refuse":
            raise RuntimeError("Invalid volume")
        uploaded = "error" if self.script.get("upload") == "error" else "available"
        self.set_status(volume_id, "uploading", [uploaded])
        image_id = f"img-{next(self._ids)}"
        self.images[image_id] = {"status": "queued", "props": {}, "protected": False}
        # Cinder's clone of the volume (the image volume) gets a copy of its metadata
        metadata = dict(self.volumes[volume_id]["metadata"])
        self.image_volumes[f"image-{image_id}"] = {"status": "available", "metadata": metadata}
        if self.script.get("orphan"):
            self.add_volume("orphan", "image-" + image_id)
        return image_id

    def volumes_named(self, name):
        return ["orphan"] if "orphan" in self.volumes else []

    def image_volume_ids(self, image_id):
        return [v for v in (f"image-{image_id}",) if v in self.image_volumes]

    def remove_volume_metadata(self, volume_id, keys):
        self._log("remove_volume_metadata", volume_id, tuple(keys))
        for key in keys:
            self.image_volumes[volume_id]["metadata"].pop(key)

    def upload_route(self, image_id, volume_id):
        return self.script.get("route", "clone")

    # -- Glance --
    def glance_hashes_locations(self):
        return self.script.get("glance_hashes", True)

    def get_image(self, image_id):
        image = self.images.get(image_id)
        if image is None:
            return None
        if image["status"] == "queued":
            image["status"] = {"active": "active", "killed": "killed", "stuck": "queued"}[
                self.script.get("image", "active")
            ]
        stores = self.script.get("stores", ("lightbits",))
        hashed = image["status"] == "active" and not self.script.get("unhashed")
        props = dict(image["props"])
        return ImageState(image["status"], stores, props, image["protected"], hashed)

    def update_image(self, image_id, changes, remove=()):
        self._log("update_image", image_id, dict(changes), tuple(remove))
        fail = self.script.get("fail_update")
        if (fail == "source" and image_id == "src") or (
            fail == "new" and image_id != "src" and "min_disk" in changes
        ):
            raise RuntimeError("403 Forbidden")
        if fail == "protect" and changes.get("protected"):
            raise RuntimeError("403 Forbidden")
        image = self.images[image_id]
        image["protected"] = changes.pop("protected", image["protected"])
        image["props"].update(changes)
        for key in remove:
            image["props"].pop(key, None)

    def add_tags(self, image_id, tags):
        self._log("add_tags", image_id, tuple(tags))

    def add_members(self, image_id, members):
        self._log("add_members", image_id, tuple(members))

    def half_made_images(self, name):
        return [i for i, im in self.images.items() if i != "src" and im["status"] != "active"]

    def delete_image(self, image_id):
        self._log("delete_image", image_id)
        if self.refusals:
            self.refusals -= 1
            raise RuntimeError("500: still hashing")
        del self.images[image_id]
        self.image_volumes.pop(f"image-{image_id}", None)  # Glance's store deletes it
