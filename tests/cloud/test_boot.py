"""Boot from a Lightbits clone on the private network, then delete everything."""

import pytest

from tests.cloud.conftest import (
    delete_server_and_wait,
    delete_volume_and_wait,
    server_or_none,
    volume_status,
    wait_for,
    wait_volume,
)


@pytest.fixture(scope="module")
def booted(demo, cloud):
    """One server booted from a cloned boot volume (delete_on_termination)."""
    volume = demo.cinder.volumes.create(
        1,
        name="test-boot-vol",
        imageRef=cloud["images"]["raw"],
        volume_type=cloud["volume_type"]["name"],
    )
    server = None
    try:
        assert wait_volume(demo.cinder, volume.id) == "available"
        server = demo.nova.servers.create(
            "test-boot",
            image=None,
            flavor=cloud["flavors"]["m1.tiny"],
            block_device_mapping_v2=[
                {
                    "source_type": "volume",
                    "destination_type": "volume",
                    "uuid": volume.id,
                    "boot_index": 0,
                    "delete_on_termination": True,
                }
            ],
            nics=[{"net-id": cloud["networks"]["private"]}],
            security_groups=[cloud["security_group"]["name"]],
            key_name=cloud["key_pair"]["name"],
        )
        status = wait_for(
            "server ACTIVE",
            lambda: (s := demo.nova.servers.get(server.id).status) in ("ACTIVE", "ERROR") and s,
            timeout=180,
        )
        yield {
            "server": demo.nova.servers.get(server.id),
            "volume_id": volume.id,
            "status": status,
        }
    finally:
        if server is not None:
            delete_server_and_wait(demo.nova, server.id)
        delete_volume_and_wait(demo.cinder, volume.id)


def test_server_goes_active_on_the_boot_volume(booted, demo):
    assert booted["status"] == "ACTIVE", getattr(booted["server"], "fault", None)
    attached = getattr(booted["server"], "os-extended-volumes:volumes_attached")
    assert [a["id"] for a in attached] == [booted["volume_id"]]
    volume = demo.cinder.volumes.get(booted["volume_id"])
    assert volume.status == "in-use"
    assert volume.attachments[0]["server_id"] == booted["server"].id


def test_cluster_acl_holds_the_host_nqn(booted, lightbits, host_nqn):
    backing = lightbits.volume_of(booted["volume_id"])
    assert backing is not None
    assert host_nqn in backing["acl"]["values"]


def test_port_on_private_with_fixed_ip_and_web_group(booted, demo, cloud):
    ports = demo.neutron.list_ports(device_id=booted["server"].id)["ports"]
    assert len(ports) == 1
    port = ports[0]
    assert port["network_id"] == cloud["networks"]["private"]
    assert port["status"] == "ACTIVE"
    ips = [ip["ip_address"] for ip in port["fixed_ips"]]
    assert ips and all(ip.startswith("10.0.0.") for ip in ips)
    assert cloud["security_group"]["id"] in port["security_groups"]
    addresses = demo.nova.servers.get(booted["server"].id).addresses
    assert [a["addr"] for a in addresses["private"]] == ips


def test_delete_removes_server_port_and_boot_volume(booted, demo, lightbits):
    server_id, volume_id = booted["server"].id, booted["volume_id"]
    demo.nova.servers.delete(server_id)

    wait_for("server gone", lambda: server_or_none(demo.nova, server_id) is None)
    wait_for("port gone", lambda: not demo.neutron.list_ports(device_id=server_id)["ports"])
    wait_for(
        "boot volume deleted (delete_on_termination)",
        lambda: volume_status(demo.cinder, volume_id) is None,
    )
    wait_for("Lightbits volume gone", lambda: lightbits.volume_of(volume_id) is None, timeout=60)
