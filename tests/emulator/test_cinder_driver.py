"""Conformance: Cinder's own LightOS driver against the emulator over HTTPS + JWT.

Needs the cinder package (.cloud-venv). Volume and snapshot objects are built
with cinder.objects directly: cinder.tests.unit (fake_volume) monkey-patches
the process with eventlet on import, which would turn the emulator's server
threads green.
"""

import itertools
import os
import shutil
import tempfile
import uuid

# Cinder lives in .cloud-venv: run these tests with it (tools/run-tests does).
# A missing Cinder is an import error, never a silent skip.
import certifi
import pytest
import requests.adapters
from cinder import context, coordination, exception, objects
from cinder.volume import configuration, driver
from cinder.volume.drivers import lightos
from oslo_config import cfg

CONF = cfg.CONF
GIB = 1024**3
_groups = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def cinder_runtime(emu):
    """Cinder's global config, a file coordinator, os-brick's discovery probe."""
    import eventlet.patcher

    assert not eventlet.patcher.is_monkey_patched("thread"), "eventlet must not patch threads"
    objects.register_all()
    CONF([], project="cinder", default_config_files=[])
    locks = tempfile.mkdtemp(prefix="lbemu-locks-")
    CONF.set_override("backend_url", "file://" + locks, group="coordination")
    CONF.set_override("lightos_discovery_client_address", "127.0.0.1", group="os_brick")
    CONF.set_override("lightos_discovery_client_port", emu.discovery_port, group="os_brick")
    coordination.COORDINATOR.start()
    yield
    coordination.COORDINATOR.stop()
    CONF.reset()
    shutil.rmtree(locks, ignore_errors=True)


@pytest.fixture(scope="module")
def trusted_bundle(emu, tmp_path_factory):
    """certifi's bundle plus the emulator CA: what verify=True checks against."""
    path = tmp_path_factory.mktemp("ca") / "bundle.pem"
    with open(certifi.where()) as base, open(emu.ca_file) as ca:
        path.write_text(base.read() + "\n" + ca.read())
    return str(path)


@pytest.fixture
def trust_emulator(monkeypatch, trusted_bundle):
    # The driver calls Session.send(verify=True) directly, which reads
    # requests.adapters.DEFAULT_CA_BUNDLE_PATH (certifi) and never the
    # REQUESTS_CA_BUNDLE environment variable (see test_requests_ca_bundle_is_ignored).
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", trusted_bundle)


def make_driver(emu, addresses=("127.0.0.1",), token=None, verify=True, timeout=3, **extra):
    group = f"lightos_emu_{next(_groups)}"
    conf = configuration.Configuration(driver.volume_opts, config_group=group)
    conf.append_config_values(lightos.lightos_opts)
    settings = dict(
        lightos_api_address=list(addresses),
        lightos_api_port=emu.port,
        lightos_jwt=token if token is not None else emu.mint_jwt("default"),
        lightos_api_service_timeout=timeout,
        lightos_default_num_replicas=3,
        driver_ssl_cert_verify=verify,
        volume_backend_name="lightos",
        **extra,
    )
    for key, value in settings.items():
        CONF.set_override(key, value, group=group)
    drv = lightos.LightOSVolumeDriver(configuration=conf)
    drv.cluster._cur_api_server_idx = 0  # the driver starts at a random address
    return drv


@pytest.fixture
def drv(clean, trust_emulator):
    d = make_driver(clean)
    d.do_setup(None)
    return d


@pytest.fixture
def ctx():
    return context.get_admin_context()


def volume_type(ctx, **extra_specs):
    return objects.VolumeType(ctx, id=str(uuid.uuid4()), name="lightbits", extra_specs=extra_specs)


def make_volume(ctx, size=1, vtype=None):
    vtype = vtype or volume_type(ctx)
    vol = objects.Volume(
        ctx,
        id=str(uuid.uuid4()),
        size=size,
        _name_id=None,
        provider_id=None,
        volume_type_id=vtype.id,
        status="creating",
    )
    vol.volume_type = vtype
    return vol


def make_snapshot(ctx, vol):
    snap = objects.Snapshot(ctx, id=str(uuid.uuid4()), volume_id=vol.id, volume_size=vol.size)
    snap.volume = vol
    return snap


def create(drv, vol, fn="create_volume", *args):
    update = getattr(drv, fn)(vol, *args)
    vol.update(update or {})
    return vol


def by_name(emu, name, project="default"):
    matches = [v for v in emu.volumes(project) if v["name"] == name]
    assert len(matches) <= 1
    return matches[0] if matches else None


# ------------------------------------------------------------------- setup
def test_do_setup_check_for_setup_error_and_stats(clean, drv):
    info = clean.store.cluster_info()
    assert drv.cluster.subsystemNQN == info["subsystemNQN"]
    assert drv.cluster.lightos_cluster_uuid == info["UUID"]
    assert set(drv.cluster.targets) == {n["UUID"] for n in clean.nodes()}
    drv.check_for_setup_error()  # host NQN from os-brick
    stats = drv.get_volume_stats(refresh=True)
    assert stats["storage_protocol"] == "lightos"
    assert stats["volume_backend_name"] == "lightos"
    assert stats["thin_provisioning_support"] is True


def test_discovery_probe_makes_the_host_lightbits_enabled(clean, drv):
    props = drv.connector.get_connector_properties(None)
    assert props["found_dsc"], "os-brick did not find the emulated discovery client"
    assert props["nqn"]


# ----------------------------------------------------------------- volumes
def test_create_extend_delete_volume(clean, drv, ctx):
    vol = create(drv, make_volume(ctx, size=2))
    lb = by_name(clean, f"volume-{vol.id}")
    assert lb["state"] == "Available"
    assert lb["size"] == str(2 * GIB)
    assert lb["replicaCount"] == 3 and len(lb["nodeList"]) == 3
    assert lb["acl"] == {"values": ["ALLOW_NONE"]}
    assert vol.provider_id == f"default {lb['UUID']}"

    drv.extend_volume(vol, 5)
    after = by_name(clean, f"volume-{vol.id}")
    assert after["size"] == str(5 * GIB)
    assert after["ETag"] != lb["ETag"]

    drv.delete_volume(vol)
    assert by_name(clean, f"volume-{vol.id}") is None


def test_create_volume_is_idempotent(clean, drv, ctx):
    vol = create(drv, make_volume(ctx))
    create(drv, vol)  # the driver finds it by name and does not POST again
    assert len(clean.volumes("default")) == 1


def test_create_waits_through_creating(clean, drv, ctx):
    clean.set_delays(0.5, 0.5)
    vol = create(drv, make_volume(ctx))
    assert by_name(clean, f"volume-{vol.id}")["state"] == "Available"
    drv.delete_volume(vol)  # returns while Deleting, as the real cluster lets it
    assert by_name(clean, f"volume-{vol.id}")["state"] == "Deleting"


def test_volume_type_project_and_replicas(clean, drv, ctx):
    vtype = volume_type(ctx, **{"lightos:num_replicas": "2", "compression": "<is> True"})
    vol = create(drv, make_volume(ctx, vtype=vtype))
    lb = by_name(clean, f"volume-{vol.id}")
    assert lb["replicaCount"] == 2 and lb["compression"] == "true"


def test_create_that_ends_failed_is_cleaned_up(clean, drv, ctx):
    clean.inject_fault("fail_create", name="^volume-", times=1)
    vol = make_volume(ctx)
    with pytest.raises(exception.VolumeBackendAPIException, match="Failed"):
        drv.create_volume(vol)
    # the driver deleted the Failed volume; it goes away
    assert by_name(clean, f"volume-{vol.id}") is None
    create(drv, vol)  # a retry (the fault was for one create) succeeds
    assert by_name(clean, f"volume-{vol.id}")["state"] == "Available"


# --------------------------------------------------------------- snapshots
def test_snapshot_and_volume_from_snapshot(clean, drv, ctx):
    src = create(drv, make_volume(ctx, size=2))
    snap = make_snapshot(ctx, src)
    drv.create_snapshot(snap)
    (lb_snap,) = clean.snapshots("default")
    assert lb_snap["name"] == f"snapshot-{snap.id}"
    assert lb_snap["state"] == "Available"
    assert lb_snap["sourceVolumeName"] == f"volume-{src.id}"

    new = create(drv, make_volume(ctx, size=3), "create_volume_from_snapshot", snap)
    lb_new = by_name(clean, f"volume-{new.id}")
    assert lb_new["sourceSnapshotUUID"] == lb_snap["UUID"]
    assert lb_new["sourceSnapshotName"] == lb_snap["name"]
    assert lb_new["size"] == str(3 * GIB)

    drv.delete_snapshot(snap)
    assert clean.snapshots("default") == []
    assert by_name(clean, f"volume-{new.id}")["state"] == "Available"  # clones are independent


def test_cloned_volume_goes_through_a_temporary_snapshot(clean, drv, ctx):
    src = create(drv, make_volume(ctx, size=4))
    lb_src = by_name(clean, f"volume-{src.id}")
    clean.write(lb_src["UUID"], GIB)  # the image data
    physical_before = int(clean.cluster()["statistics"]["physicalUsedStorage"])

    clone = create(drv, make_volume(ctx, size=8), "create_cloned_volume", src)
    lb_clone = by_name(clean, f"volume-{clone.id}")
    assert lb_clone["sourceSnapshotName"] == f"for_clone_{clone.id}"
    assert lb_clone["sourceSnapshotUUID"]
    assert clean.snapshots("default") == []  # the temporary snapshot is gone
    # thin: the clone sees the data but owns no physical capacity
    assert lb_clone["statistics"]["logicalUsedStorage"] == str(GIB)
    assert lb_clone["statistics"]["physicalUsedStorage"] == "0"
    assert int(clean.cluster()["statistics"]["physicalUsedStorage"]) == physical_before


# ------------------------------------------------------------- connections
def test_initialize_and_terminate_connection_change_the_acl(clean, drv, ctx):
    vol = create(drv, make_volume(ctx))
    connector = {
        "nqn": "nqn.2014-08.org.nvmexpress:uuid:host-1",
        "found_dsc": True,
        "host_ips": ["10.0.0.5"],
    }
    info = drv.initialize_connection(vol, connector)
    lb = by_name(clean, f"volume-{vol.id}")
    assert lb["acl"]["values"] == [connector["nqn"]]
    assert lb["IPAcl"]["values"] == ["10.0.0.5"]
    assert lb["connectedHosts"] == [connector["nqn"]]
    assert info["driver_volume_type"] == "lightos"
    assert info["data"]["uuid"] == lb["UUID"]
    assert info["data"]["subsysnqn"] == drv.cluster.subsystemNQN
    assert len(info["data"]["lightos_nodes"]) == len(clean.nodes())

    drv.terminate_connection(vol, connector)
    lb = by_name(clean, f"volume-{vol.id}")
    assert lb["acl"]["values"] == ["ALLOW_NONE"]
    assert lb["IPAcl"]["values"] == ["ALLOW_NONE"]
    assert lb["connectedHosts"] == []


def test_initialize_connection_with_the_real_os_brick_connector(clean, drv, ctx):
    vol = create(drv, make_volume(ctx))
    connector = drv.connector.get_connector_properties(None)
    connector["host_ips"] = connector.get("host_ips") or ["127.0.0.1"]
    drv.initialize_connection(vol, connector)
    assert connector["nqn"] in by_name(clean, f"volume-{vol.id}")["acl"]["values"]
    drv.terminate_connection(vol, connector)
    assert by_name(clean, f"volume-{vol.id}")["acl"]["values"] == ["ALLOW_NONE"]


# -------------------------------------------------------- failover and auth
def test_failover_to_the_second_api_address(clean, trust_emulator, ctx):
    # nothing listens on 127.0.0.2: the driver moves on to 127.0.0.1
    d = make_driver(clean, addresses=("127.0.0.2", "127.0.0.1"))
    d.do_setup(None)
    assert d.cluster._cur_api_server_idx == 1
    vol = create(d, make_volume(ctx))
    assert by_name(clean, f"volume-{vol.id}")["state"] == "Available"


def test_failover_when_a_connection_is_dropped(clean, trust_emulator):
    d = make_driver(clean, addresses=("127.0.0.1", "127.0.0.1"))
    clean.inject_fault("drop", path="/api/v2/clusterinfo", times=1)
    d.do_setup(None)
    assert d.cluster._cur_api_server_idx == 1


def test_no_api_server_answers(clean, trust_emulator):
    d = make_driver(clean, addresses=("127.0.0.2", "127.0.0.3"))
    with pytest.raises(exception.VolumeDriverException, match="any API server"):
        d.do_setup(None)


def test_forged_token_is_refused(clean, trust_emulator):
    header, payload, _sig = clean.admin_jwt.split(".")
    d = make_driver(clean, token=f"{header}.{payload}.AAAA")
    with pytest.raises(exception.InvalidAuthKey):
        d.do_setup(None)


def test_project_token_cannot_create_in_another_project(clean, trust_emulator, ctx):
    clean.create_project("tenant-a")
    clean.create_project("tenant-b")
    d = make_driver(clean, token=clean.mint_jwt("tenant-a"))
    d.do_setup(None)
    vtype = volume_type(ctx, **{"lightos:project_name": "tenant-b"})
    with pytest.raises(exception.VolumeBackendAPIException):
        d.create_volume(make_volume(ctx, vtype=vtype))
    assert clean.volumes("tenant-b") == []
    vtype = volume_type(ctx, **{"lightos:project_name": "tenant-a"})
    vol = create(d, make_volume(ctx, vtype=vtype))
    assert by_name(clean, f"volume-{vol.id}", project="tenant-a")


# --------------------------------------------------------------------- TLS
def test_verification_fails_without_trusting_the_ca(clean):
    d = make_driver(clean, addresses=("127.0.0.1", "127.0.0.1"))
    with pytest.raises(exception.VolumeDriverException):
        d.do_setup(None)


def test_requests_ca_bundle_is_ignored(clean, monkeypatch):
    """REQUESTS_CA_BUNDLE does not reach the driver: it calls Session.send."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", clean.ca_file)
    d = make_driver(clean, addresses=("127.0.0.1", "127.0.0.1"))
    with pytest.raises(exception.VolumeDriverException):
        d.do_setup(None)


def test_verification_off_also_works(clean):
    d = make_driver(clean, verify=False)
    d.do_setup(None)
    assert os.path.exists(clean.ca_file)
