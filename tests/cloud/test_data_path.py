"""Image bytes really move: uploads into the Lightbits store, clone vs copy, boot.

The seed article's CLI journey as commands (glance/openstack CLIs of
.cloud-venv), then Cinder's copy path for a qcow2 image checked byte for byte
against ``qemu-img convert -O raw``, then upload-to-image with Cinder's backend.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time

import pytest

from tests.cloud.conftest import (
    delete_server_and_wait,
    delete_volume_and_wait,
    volume_status,
    wait_for,
)
from tests.cloud_access import glance_hashes_locations

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLOUD_BIN = os.path.join(ROOT, ".cloud-venv", "bin")
GiB = 1024**3


def cli(cloud, user, *argv):
    """Run an OpenStack CLI of the cloud venv as ``user``; JSON output parsed."""
    creds = cloud[user]
    env = dict(
        os.environ,
        OS_AUTH_URL=cloud["auth_url"],
        OS_USERNAME=creds["username"],
        OS_PASSWORD=creds["password"],
        OS_PROJECT_NAME=creds["project"],
        OS_USER_DOMAIN_ID="default",
        OS_PROJECT_DOMAIN_ID="default",
        OS_REGION_NAME=cloud["region"],
        OS_IDENTITY_API_VERSION="3",
    )
    out = subprocess.run(
        [os.path.join(CLOUD_BIN, argv[0]), *argv[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, f"{' '.join(argv)}: {out.stderr[-2000:]}"
    return out.stdout


def watch_volume(cinder, volume_id, timeout=180):
    """Every status the volume shows (polled often) until available or error."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = volume_status(cinder, volume_id)
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("available", "error"):
            return seen
        time.sleep(0.1)
    pytest.fail(f"volume {volume_id} still {seen[-1]} after {timeout}s; statuses {seen}")


def new_volume(client, cleanup, name, image_id, volume_type):
    """(volume, every status it showed): 1 GiB from the image, deleted at the end."""
    volume = client.cinder.volumes.create(1, name=name, imageRef=image_id, volume_type=volume_type)
    cleanup.add(delete_volume_and_wait, client.cinder, volume.id)
    return volume, watch_volume(client.cinder, volume.id)


def volume_file(cloud, lightbits, cinder_volume_id):
    backing = lightbits.volume_of(cinder_volume_id)
    assert backing is not None, "no Lightbits volume behind the Cinder volume"
    return backing, os.path.join(cloud["emulator"]["state_dir"], "data", backing["UUID"] + ".img")


def sha256_of(path, size):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        left = size
        while left:
            chunk = f.read(min(left, 1 << 20))
            assert chunk, f"{path} is shorter than {size}"
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def no_data_after(path, offset):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.lseek(fd, offset, os.SEEK_DATA)
        return False
    except OSError:  # ENXIO: only holes after offset
        return True
    finally:
        os.close(fd)


def wait_image_active(glance, image_id, timeout=120):
    return wait_for(
        f"image {image_id} active",
        lambda: (s := glance.images.get(image_id).status) in ("active", "killed") and s,
        timeout,
    )


# ------------------------------------------------------------- 1. the journey
@pytest.fixture(scope="module")
def uploaded(cloud, admin):
    """A raw and a qcow2 image uploaded with ``glance image-create --store lightbits``."""
    ids = {}
    try:
        for fmt in ("raw", "qcow2"):
            out = cli(
                cloud,
                "admin",
                "glance",
                "image-create",
                "--store",
                cloud["stores"]["lightbits"],
                "--name",
                f"test-upload-{fmt}",
                "--disk-format",
                fmt,
                "--container-format",
                "bare",
                "--visibility",
                "public",
                "--file",
                cloud["seed_files"][fmt],
            )
            ids[fmt] = next(
                line.split("|")[2].strip() for line in out.splitlines() if line.startswith("| id ")
            )
            assert wait_image_active(admin.glance, ids[fmt]) == "active"
        yield ids
    finally:
        for image_id in ids.values():
            admin.glance.images.delete(image_id)


def test_upload_naming_no_store_lands_in_the_default_lightbits_store(cloud, admin):
    """The product's story: an ordinary upload (no store named, as OSC's image
    create does) goes into the default store, which is ``lightbits``."""
    out = cli(
        cloud,
        "demo",
        "glance",
        "image-create",
        "--name",
        "test-upload-default-store",
        "--disk-format",
        "raw",
        "--container-format",
        "bare",
        "--file",
        cloud["seed_files"]["raw"],
    )
    image_id = next(
        line.split("|")[2].strip() for line in out.splitlines() if line.startswith("| id ")
    )
    try:
        assert wait_image_active(admin.glance, image_id) == "active"
        assert admin.glance.images.get(image_id).stores == cloud["stores"]["lightbits"]
        volumes = admin.cinder.volumes.list(
            search_opts={"all_tenants": True, "name": f"image-{image_id}"}
        )
        assert [v.volume_type for v in volumes] == [cloud["volume_type"]["name"]], volumes
    finally:
        admin.glance.images.delete(image_id)


def test_upload_into_lightbits_store_makes_a_read_only_image_volume(cloud, uploaded, admin):
    volumes = json.loads(
        cli(
            cloud, "admin", "openstack", "volume", "list", "--all-projects", "--long", "-f", "json"
        )
    )
    by_name = {v["Name"]: v for v in volumes}
    lbcli = subprocess.run(
        [
            sys.executable,
            "-m",
            "lightbits_emulator",
            "lbcli",
            "--state-dir",
            cloud["emulator"]["state_dir"],
            "--port",
            cloud["emulator"]["url"].rsplit(":", 1)[1],
            "list",
            "volumes",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    for fmt, image_id in uploaded.items():
        image = admin.glance.images.get(image_id)
        assert image.stores == cloud["stores"]["lightbits"]
        assert image.os_hash_value, "Glance hashed the data (do_secure_hash is on)"
        with open(cloud["seed_files"][fmt], "rb") as f:
            assert image.os_hash_value == hashlib.sha512(f.read()).hexdigest()
        vol = by_name[f"image-{image_id}"]
        assert vol["Type"] == cloud["volume_type"]["name"]
        assert vol["Status"] == "available"
        assert vol["Properties"].get("readonly") == "True", vol["Properties"]
        assert f"volume-{vol['ID']}" in lbcli


def test_raw_boot_volume_is_a_block_clone_and_boots(
    cloud, uploaded, admin, demo, lightbits, cleanup
):
    out = cli(
        cloud,
        "demo",
        "openstack",
        "volume",
        "create",
        "--image",
        uploaded["raw"],
        "--size",
        "20",
        "--type",
        cloud["volume_type"]["name"],
        "vm1-boot-vol",
        "-f",
        "json",
    )
    volume_id = json.loads(out)["id"]
    cleanup.add(delete_volume_and_wait, demo.cinder, volume_id)
    seen = watch_volume(demo.cinder, volume_id)
    assert seen[-1] == "available", seen
    assert "downloading" not in seen, seen
    backing, path = volume_file(cloud, lightbits, volume_id)
    assert backing["sourceSnapshotName"] == f"for_clone_{volume_id}"
    assert int(backing["size"]) == 20 * GiB
    # thin: the clone shares the image volume's blocks, it costs no disk of its own
    [image_volume] = [
        v
        for v in admin.cinder.volumes.list(search_opts={"all_tenants": 1})
        if v.name == f"image-{uploaded['raw']}"
    ]
    _, image_path = volume_file(cloud, lightbits, image_volume.id)
    assert os.stat(path).st_ino == os.stat(image_path).st_ino

    out = cli(
        cloud,
        "demo",
        "openstack",
        "server",
        "create",
        "--flavor",
        "m1.tiny",
        "--volume",
        volume_id,
        "--network",
        "private",
        "--key-name",
        cloud["key_pair"]["name"],
        "--wait",
        "vm1",
        "-f",
        "json",
    )
    server = json.loads(out)
    cleanup.add(delete_server_and_wait, demo.nova, server["id"])
    assert server["status"] == "ACTIVE"


# --------------------------------------------------------- 2. the copy path
def test_qcow2_volume_is_a_copy_holding_the_raw_bytes(cloud, demo, lightbits, cleanup):
    volume, seen = new_volume(
        demo, cleanup, "test-copy-qcow2", cloud["images"]["qcow2"], cloud["volume_type"]["name"]
    )
    assert "downloading" in seen and seen[-1] == "available", seen
    backing, path = volume_file(cloud, lightbits, volume.id)
    assert not backing["sourceSnapshotName"]
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "converted.raw")
        subprocess.run(
            ["qemu-img", "convert", "-f", "qcow2", "-O", "raw", cloud["seed_files"]["qcow2"], raw],
            check=True,
        )
        size = os.path.getsize(raw)
        assert sha256_of(path, size) == sha256_of(raw, size)
    assert os.path.getsize(path) == GiB
    assert no_data_after(path, size), "the volume holds data beyond the image"


# ------------------------------------------------------- 4. upload-to-image
def test_upload_to_image_with_cinders_backend_is_a_clone(cloud, demo, admin, lightbits, cleanup):
    volume, seen = new_volume(
        demo, cleanup, "test-upload-src", cloud["images"]["raw"], cloud["volume_type"]["name"]
    )
    assert seen[-1] == "available"
    resp = demo.cinder.volumes.upload_to_image(
        volume, False, "test-uploaded-raw", "bare", "raw", visibility="private", protected=False
    )
    image_id = resp[1]["os-volume_upload_image"]["image_id"]
    cleanup.add(admin.glance.images.delete, image_id)
    assert wait_image_active(demo.glance, image_id) == "active"
    # Glance's location_import task hashes the data through an attach after
    # activating the image (do_secure_hash): deleting it before then fails.
    if glance_hashes_locations(cloud):
        image = wait_for(
            "image hashed", lambda: (i := demo.glance.images.get(image_id)).os_hash_value and i
        )
    else:
        image = demo.glance.images.get(image_id)
    assert image.stores == cloud["stores"]["lightbits"]
    image_volume_id = image.locations[0]["url"].rsplit("/", 1)[1]
    backing, _ = volume_file(cloud, lightbits, image_volume_id)
    assert backing["sourceSnapshotName"], "the image volume is a Lightbits clone"
    wait_for(
        "image volume detached",
        lambda: volume_status(admin.cinder, image_volume_id) == "available",
    )
    # and it launches by clone
    _boot, seen = new_volume(
        demo, cleanup, "test-upload-boot", image_id, cloud["volume_type"]["name"]
    )
    assert seen[-1] == "available" and "downloading" not in seen, seen


# ------------------------------------------------- 3. copy-image (the API)
def test_copy_image_into_lightbits_finishes_with_the_bytes(cloud, admin, lightbits, cleanup):
    image = admin.glance.images.create(
        name="test-copy-image", disk_format="raw", container_format="bare"
    )
    cleanup.add(admin.glance.images.delete, image.id)
    data = os.urandom(1024 * 1024)
    admin.glance.images.upload(image.id, io.BytesIO(data), backend=cloud["stores"]["file"])
    assert wait_image_active(admin.glance, image.id) == "active"
    admin.glance.images.image_import(
        image.id, method="copy-image", stores=[cloud["stores"]["lightbits"]]
    )
    stores = {cloud["stores"]["file"], cloud["stores"]["lightbits"]}
    image = wait_for(
        "copy-image finished",
        lambda: (
            (i := admin.glance.images.get(image.id))
            and set(i.stores.split(",")) == stores
            and not getattr(i, "os_glance_importing_to_stores", "")
            and i
        ),
        timeout=120,
    )
    assert not getattr(image, "os_glance_failed_import", "")
    [volume] = [
        v
        for v in admin.cinder.volumes.list(search_opts={"all_tenants": 1})
        if v.name == f"image-{image.id}"
    ]
    _, path = volume_file(cloud, lightbits, volume.id)
    assert sha256_of(path, len(data)) == hashlib.sha256(data).hexdigest()


@pytest.fixture
def store_type(admin, cleanup):
    """A Lightbits volume type naming Glance's store, so that Cinder's plain
    upload-to-image goes into the Lightbits store (image_service:store_id)."""
    vtype = admin.cinder.volume_types.create("test-lightbits-store", is_public=True)
    cleanup.add(admin.cinder.volume_types.delete, vtype.id)
    vtype.set_keys({"volume_backend_name": "lightbits", "image_service:store_id": "lightbits"})
    return vtype


def test_plain_upload_to_image_goes_into_the_lightbits_store(
    cloud, admin, lightbits, store_type, cleanup
):
    volume, seen = new_volume(
        admin, cleanup, "test-plain-upload-src", cloud["images"]["raw"], store_type.name
    )
    assert seen[-1] == "available"
    # qcow2: Cinder's backend path is raw-only, so Cinder converts the volume's
    # bytes and uploads them through Glance into the type's store.
    resp = admin.cinder.volumes.upload_to_image(
        volume, False, "test-plain-upload", "bare", "qcow2", visibility="private", protected=False
    )
    image_id = resp[1]["os-volume_upload_image"]["image_id"]
    cleanup.add(admin.glance.images.delete, image_id)
    assert wait_image_active(admin.glance, image_id, timeout=180) == "active"
    image = admin.glance.images.get(image_id)
    assert image.stores == cloud["stores"]["lightbits"]
    assert image.disk_format == "qcow2" and image.os_hash_value
    wait_for("source volume back", lambda: volume_status(admin.cinder, volume.id) == "available")
    # launchable: a boot volume from it (by copy) holds the source's bytes
    boot, seen = new_volume(
        admin, cleanup, "test-plain-upload-boot", image_id, cloud["volume_type"]["name"]
    )
    assert seen[-1] == "available" and "downloading" in seen, seen
    _, src_path = volume_file(cloud, lightbits, volume.id)
    _, boot_path = volume_file(cloud, lightbits, boot.id)
    size = os.path.getsize(cloud["seed_files"]["raw"])
    assert sha256_of(boot_path, size) == sha256_of(src_path, size)
