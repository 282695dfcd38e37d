"""Seed data so that every state of both panels shows (idempotent: found by name first).

Images hold real bytes (cloudctl/images.py makes a small MBR disk locally and
its qcow2 conversion), uploaded the way operators do:

* cirros-raw, cirros-qcow2: ``glance image-create --store lightbits --file``;
  Glance's cinder store writes them into an ``image-<id>`` volume through the
  devcloud's LIGHTOS connector stand-in (devcloud/lightos_stand_in.py) and
  hashes them (do_secure_hash is Glance's default, on).
* cirros-file: a small real upload into the file store.
* an orphaned image volume: ``image-<id>`` whose image was deleted.
"""

import io
import logging
import os
import time

from cinderclient import client as cinder_client
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from glanceclient import client as glance_client
from neutronclient.v2_0 import client as neutron_client
from novaclient import client as nova_client

from cloudctl import identity, images, procs, settings

FLAVORS = {"m1.tiny": (1, 512, 1), "m1.small": (1, 2048, 20), "m1.medium": (2, 4096, 40)}
KEY_NAME = "demo-key"
KEY_FILE = os.path.join(settings.STATE, "demo-key")
ORPHAN_MARK = "devcloud_seed"
GiB = 1024**3


# neutronclient logs a deprecation warning for every client it makes.
logging.getLogger("neutronclient.v2_0.client").setLevel(logging.ERROR)


class SeedError(procs.StartError):
    pass


def wait(what, fn, timeout=120, interval=1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(interval)
    raise SeedError(f"seed: {what} did not happen in {timeout}s")


class Clients:
    def __init__(self, user):
        sess = identity.session(user)
        self.session = sess
        self.nova = nova_client.Client("2.90", session=sess, region_name=settings.REGION)
        self.cinder = cinder_client.Client("3.70", session=sess, region_name=settings.REGION)
        self.glance = glance_client.Client("2", session=sess, region_name=settings.REGION)
        self.neutron = neutron_client.Client(session=sess, region_name=settings.REGION)

    @property
    def project_id(self):
        return self.session.get_project_id()


# -- compute, volume types, quotas ----------------------------------------


def flavors(admin):
    existing = {f.name: f for f in admin.nova.flavors.list(is_public=None)}
    ids = {}
    for name, (vcpus, ram, disk) in FLAVORS.items():
        flavor = existing.get(name) or admin.nova.flavors.create(name, ram, vcpus, disk)
        ids[name] = flavor.id
    return ids


# Cinder 29 turns the type's ``image_service:store_id`` into
# validation_data {"store": ...} of Glance 33's new add-location API, which
# rejects it (400), and upload-to-image with the Cinder backend fails. Without
# it Cinder registers cinder://<volume id> and Glance's location_import maps
# that to cinder://lightbits/<volume id> (store "lightbits") by the volume's
# type: the same result.
BROKEN_EXTRA_SPECS = ("image_service:store_id",)


def volume_type(admin):
    vtype = next(
        (t for t in admin.cinder.volume_types.list() if t.name == settings.LIGHTBITS_TYPE), None
    )
    if vtype is None:
        vtype = admin.cinder.volume_types.create(settings.LIGHTBITS_TYPE, is_public=True)
    keys = vtype.get_keys()
    # (Extra specs cannot change once volumes use the type.)
    if keys.get("volume_backend_name") != "lightbits":
        vtype.set_keys({"volume_backend_name": "lightbits"})
    present = [k for k in BROKEN_EXTRA_SPECS if k in keys]
    if present:
        vtype.unset_keys(present)
    return vtype.id


def quotas(admin, project_id):
    admin.nova.quotas.update(project_id, instances=10, cores=20, ram=20480, key_pairs=10)
    admin.cinder.quotas.update(project_id, volumes=20, gigabytes=200, snapshots=10)
    return {"instances": 10, "cores": 20, "ram": 20480, "volumes": 20, "gigabytes": 200}


def key_pair(demo):
    existing = [k for k in demo.nova.keypairs.list() if k.name == KEY_NAME]
    if existing:
        return KEY_NAME
    key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    demo.nova.keypairs.create(KEY_NAME, public_key=public.decode() + " demo@devcloud")
    return KEY_NAME


# -- networks ------------------------------------------------------------------


def _one(items):
    return items[0] if items else None


def network(client, name, body, subnet_body):
    net = _one(client.neutron.list_networks(name=name)["networks"])
    if net is None:
        net = client.neutron.create_network({"network": dict(body, name=name)})["network"]
    subnet = _one(client.neutron.list_subnets(network_id=net["id"])["subnets"])
    if subnet is None:
        subnet = client.neutron.create_subnet(
            {"subnet": dict(subnet_body, network_id=net["id"], name=name + "-subnet")}
        )["subnet"]
    return net["id"], subnet["id"]


def networks(admin, demo):
    public, public_subnet = network(
        admin,
        "public",
        {
            "shared": True,
            "provider:network_type": "flat",
            "provider:physical_network": "public",
        },
        {"ip_version": 4, "cidr": "172.24.4.0/24"},
    )
    private, private_subnet = network(
        demo, "private", {}, {"ip_version": 4, "cidr": "10.0.0.0/24"}
    )
    return {
        "public": public,
        "public_subnet": public_subnet,
        "private": private,
        "private_subnet": private_subnet,
    }


def security_group(demo):
    group = _one(
        demo.neutron.list_security_groups(name="web", project_id=demo.project_id)[
            "security_groups"
        ]
    )
    if group is None:
        group = demo.neutron.create_security_group(
            {"security_group": {"name": "web", "description": "ssh and http"}}
        )["security_group"]
    have = {
        r.get("port_range_min")
        for r in group.get("security_group_rules", [])
        if r["direction"] == "ingress"
    }
    for port in (22, 80):
        if port not in have:
            demo.neutron.create_security_group_rule(
                {
                    "security_group_rule": {
                        "security_group_id": group["id"],
                        "direction": "ingress",
                        "ethertype": "IPv4",
                        "protocol": "tcp",
                        "port_range_min": port,
                        "port_range_max": port,
                        "remote_ip_prefix": "0.0.0.0/0",
                    }
                }
            )
    return group["id"]


# -- images -------------------------------------------------------------------


def _image(glance, name):
    return _one(list(glance.images.list(filters={"name": name})))


def _ready_image(glance, name):
    """The named image if active, else None (a half-made one is deleted)."""
    image = _image(glance, name)
    if image is None or image.status == "active":
        return image
    glance.images.delete(image.id)
    return None


def _volume_available(cinder, volume_id):
    volume = cinder.volumes.get(volume_id)
    if volume.status == "error":
        raise SeedError(f"seed: volume {volume_id} went to error (see cinder-volume.log)")
    return volume if volume.status == "available" else None


SEED_IMAGES = os.path.join(settings.LIB, "seed-images")


def upload_image(glance, name, path, disk_format, store, **extra):
    """The ordinary upload (``glance image-create --store <store> --file <path>``)."""
    image = _ready_image(glance, name)
    if image is not None:
        return image.id
    image = glance.images.create(
        name=name,
        disk_format=disk_format,
        container_format="bare",
        visibility="public",
        **extra,
    )
    with open(path, "rb") as f:
        glance.images.upload(image.id, f, backend=store)
    wait(f"{name} active", lambda: glance.images.get(image.id).status == "active")
    return image.id


def lightbits_images(admin):
    """The seed's disk, raw and qcow2, uploaded into the Lightbits store."""
    raw, qcow2 = images.make(SEED_IMAGES)
    ids = {
        "raw": upload_image(admin.glance, "cirros-raw", raw, "raw", settings.LIGHTBITS_STORE),
        "qcow2": upload_image(
            admin.glance, "cirros-qcow2", qcow2, "qcow2", settings.LIGHTBITS_STORE
        ),
    }
    return ids, {"raw": raw, "qcow2": qcow2}


def _image_volume(glance_svc, image_id, owner, extra=None):
    """An image volume as Glance's cinder store makes it (service project, read-only)."""
    metadata = {"glance_image_id": image_id, "image_owner": owner, "image_size": str(GiB)}
    metadata.update(extra or {})
    volume = glance_svc.cinder.volumes.create(
        1,
        name=f"image-{image_id}",
        volume_type=settings.LIGHTBITS_TYPE,
        metadata=metadata,
    )
    wait(f"image volume for {image_id}", lambda: _volume_available(glance_svc.cinder, volume.id))
    glance_svc.cinder.volumes.update_readonly_flag(volume, True)
    return volume


def file_image(admin):
    image = _ready_image(admin.glance, "cirros-file")
    if image is not None:
        return image.id
    image = admin.glance.images.create(
        name="cirros-file", disk_format="raw", container_format="bare", visibility="public"
    )
    data = b"devcloud file-store image\n" + bytes(1024 * 1024 - 26)
    admin.glance.images.upload(image.id, io.BytesIO(data), backend=settings.FILE_STORE)
    wait("cirros-file active", lambda: admin.glance.images.get(image.id).status == "active")
    return image.id


def orphan_volume(admin, glance_svc):
    for volume in glance_svc.cinder.volumes.list():
        if volume.metadata.get(ORPHAN_MARK) == "orphan":
            return volume.id
    image = admin.glance.images.create(
        name="deleted-image", disk_format="raw", container_format="bare"
    )
    volume = _image_volume(glance_svc, image.id, admin.project_id, {ORPHAN_MARK: "orphan"})
    admin.glance.images.delete(image.id)
    return volume.id


# -- all ------------------------------------------------------------------------


def seed():
    admin = Clients(settings.ADMIN)
    demo = Clients(settings.DEMO)
    glance_svc = Clients(identity.service_user("glance"))
    facts = {
        "flavors": flavors(admin),
        "volume_type": {"name": settings.LIGHTBITS_TYPE, "id": volume_type(admin)},
        "quotas": {"demo": quotas(admin, demo.project_id)},
        "key_pair": {"name": key_pair(demo), "private_key_file": KEY_FILE},
        "networks": networks(admin, demo),
        "security_group": {"name": "web", "id": security_group(demo)},
    }
    facts["images"], facts["seed_files"] = lightbits_images(admin)
    facts["images"]["file"] = file_image(admin)
    facts["orphan_volume"] = orphan_volume(admin, glance_svc)
    facts["stores"] = {"lightbits": settings.LIGHTBITS_STORE, "file": settings.FILE_STORE}
    return facts
