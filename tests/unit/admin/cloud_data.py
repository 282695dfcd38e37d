"""The benchmark's whole cloud (tools/bench-admin-page), as the services'
JSON: N Cinder volumes, N/5 images, N Lightbits volumes, a few of every
finding. Also the data of the build process tests."""

from lightbits_dashboard.launch import record
from tests.unit import factories
from tests.unit.admin import fakes
from tests.unit.admin.fake_cloud_http import FakeCloud


def _volume_dict(vol):
    data = dict(vol._apiresource.to_dict())
    data.update(
        encrypted=False,
        multiattach=False,
        replication_status=None,
        snapshot_id=None,
        source_volid=None,
        consistencygroup_id=None,
        group_id=None,
        user_id=factories.USER,
        updated_at="2026-01-01T00:00:10",
        links=[{"rel": "self", "href": "http://cinder/v3/x/volumes/" + vol.id}],
    )
    data.setdefault("os-vol-mig-status-attr:migstat", None)
    data.setdefault("os-vol-mig-status-attr:name_id", None)
    if data["volume_image_metadata"]:
        data["volume_image_metadata"] = dict(
            data["volume_image_metadata"],
            checksum="0" * 32,
            container_format="bare",
            disk_format="raw",
            min_disk="0",
            min_ram="0",
            size=str(1024**3),
            signature_verified="False",
        )
    return data


def _image_dict(img):
    data = dict(img._apiresource)
    data.update(
        checksum="0" * 32,
        os_hash_algo="sha512",
        os_hash_value="0" * 128,
        os_hidden=False,
        protected=False,
        min_disk=0,
        min_ram=0,
        virtual_size=1024**3,
        tags=[],
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        file=f"/v2/images/{img.id}/file",
        self=f"/v2/images/{img.id}",
        schema="/v2/schemas/image",
    )
    return data


def dataset(n):
    """N Cinder volumes, N/5 images, N Lightbits volumes: images mostly on
    Lightbits, each with an image volume; boot volumes cloned from them; a
    few of every finding."""
    n_images = max(1, n // 5)
    images, volumes, lbs = [], [], []
    for i in range(n_images):
        kind = i % 20
        img = factories.image(
            name=f"image-{i:05d}",
            owner=factories.USER,
            stores="file" if kind == 0 else "lightbits",
            disk_format="qcow2" if kind == 1 else "raw",
        )
        images.append(img)
        if kind != 0:
            volumes.append(factories.image_volume(img, readonly=kind != 2))
    for _ in range(max(1, n_images // 100)):  # orphans: image gone
        volumes.append(factories.image_volume(factories.image(owner=factories.USER)))
    projects = [factories.USER] + [f"{p:032x}" for p in range(1, 100)]
    _add_boot_volumes(volumes, n, images, projects)
    for j, vol in enumerate(volumes[:n]):
        if j % 500 == 7:
            continue  # Lightbits volume missing
        protection = "Degraded" if j % 400 == 3 else "FullyProtected"
        extra = (
            {"sourceSnapshotName": f"for_clone_{vol.id}"} if vol.name.startswith("boot") else {}
        )
        lbs.append(fakes.lb_volume(vol, protection=protection, **extra))
    while len(lbs) < n:
        lbs.append(fakes.lb_volume(factories.volume()))  # no Cinder volume
    project_list = [
        {"id": p, "name": f"project-{k}", "domain_id": "default", "enabled": True}
        for k, p in enumerate(projects + [factories.SERVICE])
    ]
    return _cloud(volumes, images, project_list), lbs


def _add_boot_volumes(volumes, n, images, projects):
    """Boot volumes made from ``images`` in turn, in ``projects`` in turn,
    until there are ``n`` volumes."""
    i = 0
    while len(volumes) < n:
        src = images[i % len(images)]
        volumes.append(
            factories.volume(
                name=f"boot-{i}",
                project=projects[i % len(projects)],
                volume_image_metadata={"image_id": src.id, "image_name": src.name},
            )
        )
        i += 1


def _cloud(volumes, images, projects):
    """A FakeCloud of these volumes, images and projects, fakes' volume types and stores."""
    types = [
        {"id": t.id, "name": t.name, "extra_specs": t.extra_specs, "is_public": True}
        for t in fakes.volume_types()
    ]
    return FakeCloud(
        [_volume_dict(v) for v in volumes],
        [_image_dict(i) for i in images],
        projects,
        types,
        fakes.stores(),
    )


def project_dataset(n, project):
    """N volumes in ``project``; N/5 images on Lightbits, a twentieth of them
    with an image volume in the project."""
    images = [factories.image(name=f"image-{i:05d}", owner=project) for i in range(max(1, n // 5))]
    volumes = [factories.image_volume(img, project=project) for img in images[::20]]
    for volume in volumes:  # recorded by the store / the clone: the volume's project
        volume._apiresource.metadata["image_owner"] = project
    _add_boot_volumes(volumes, n, images, [project])
    cloud = _cloud(
        volumes,
        images,
        [{"id": project, "name": "project", "domain_id": "default", "enabled": True}],
    )
    cloud.project_id = project
    return cloud


def launches_dataset(n, project):
    """N launch boot volumes in ``project``, each with an ACTIVE server."""
    image = factories.image(name="image-launched", owner=project)
    spec = record.ServerSpec(flavor="f1", networks=("n1",))
    volumes, servers = [], []
    for i in range(n):
        server_id = factories.uid()
        rec = record.LaunchRecord(
            f"L{i // 10}",
            f"batch-{i // 10}",
            i % 10 + 1,
            10,
            f"vm-{i}",
            image.id,
            "active",
            spec,
            server_id=server_id,
            made="clone",
            made_seconds=2.0,
        )
        volumes.append(
            factories.volume(name=f"vm-{i}-boot", project=project, metadata=record.encode(rec))
        )
        servers.append(server_dict(server_id, f"vm-{i}", project))
    return launch_cloud(project, volumes, servers, [image])


def launch_cloud(project, volumes, servers, images=()):
    """A FakeCloud of launch boot volumes (Horizon's Volume) and servers
    (``server_dict``) in ``project``."""
    cloud = FakeCloud(
        [_volume_dict(v) for v in volumes],
        [_image_dict(i) for i in images],
        [{"id": project, "name": "project", "domain_id": "default", "enabled": True}],
        [],
        fakes.stores(),
        servers=servers,
    )
    cloud.project_id = project
    return cloud


def server_dict(server_id, name, project, **fields):
    """A server as Nova's GET /servers/detail returns it (ACTIVE unless ``fields`` say)."""
    server = {
        "id": server_id,
        "name": name,
        "status": "ACTIVE",
        "tenant_id": project,
        "user_id": factories.USER,
        "metadata": {},
        "addresses": {},
        "flavor": {"id": "f1"},
        "image": "",
        "created": "2026-01-01T00:00:00Z",
        "updated": "2026-01-01T00:00:00Z",
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:power_state": 1,
        "OS-EXT-AZ:availability_zone": "nova",
        "os-extended-volumes:volumes_attached": [],
        "links": [],
    }
    server.update(fields)
    return server
