"""Launch from cirros-raw through the workflow; check the result through the APIs."""

import re

from selenium.webdriver.common.by import By

from tests.browser import cloud, launching, pages


def _server(demo_api, name):
    servers = demo_api.nova.servers.list(search_opts={"name": f"^{name}$"})
    assert len(servers) == 1, [s.name for s in servers]
    return servers[0]


def check_server(facts, demo_api, emulator, name):
    """Boots from a lightbits Cinder volume cloned on Lightbits; port on private with web."""
    server = _server(demo_api, name)
    assert server.status == "ACTIVE"
    assert not getattr(server, "image", None), "booted from an image, not a volume"
    attached = getattr(server, "os-extended-volumes:volumes_attached")
    assert len(attached) == 1
    assert attached[0]["delete_on_termination"] is True
    volume = demo_api.cinder.volumes.get(attached[0]["id"])
    assert volume.volume_type == facts["volume_type"]["name"]
    assert volume.bootable == "true"
    assert volume.volume_image_metadata["image_id"] == facts["images"]["raw"]

    lvol = emulator.volume_by_name(f"volume-{volume.id}")
    assert lvol is not None, "no Lightbits volume behind the boot volume"
    assert lvol["sourceSnapshotName"].startswith("for_clone_"), lvol
    assert lvol["sourceSnapshotUUID"], lvol

    ports = demo_api.neutron.list_ports(device_id=server.id)["ports"]
    assert len(ports) == 1, ports
    port = ports[0]
    assert port["network_id"] == facts["networks"]["private"]
    assert port["fixed_ips"] and port["fixed_ips"][0]["ip_address"].startswith("10.0.0.")
    assert facts["security_group"]["id"] in port["security_groups"]
    assert server.key_name == facts["key_pair"]["name"]
    return server, volume, port


def delete_and_check_gone(demo_api, emulator, server, volume, port):
    demo_api.nova.servers.delete(server.id)
    cloud.wait_for(
        f"server {server.name} deleted", lambda: demo_api.server_or_none(server.id) is None
    )
    cloud.wait_for(
        f"boot volume of {server.name} deleted (delete on terminate)",
        lambda: demo_api.volume_or_none(volume.id) is None,
    )
    cloud.wait_for(
        f"Lightbits volume of {server.name} deleted",
        lambda: emulator.volume_by_name(f"volume-{volume.id}") is None,
    )
    assert not demo_api.neutron.list_ports(id=port["id"])["ports"]


def test_launch_one_instance(as_demo, horizon, facts, demo_api, emulator, cleanup):
    name = launching.unique_name("bt-one")
    cleanup.append(name)

    launching.launch(
        as_demo,
        horizon.url,
        facts,
        name,
        on_source=lambda _modal: pages.screenshot(as_demo, "launch-workflow-source"),
    )
    launching.wait_rows(as_demo, [name], timeout=30)  # listed on the page shown, no reload
    pages.assert_rows_one_line(as_demo, "launches")
    pages.screenshot(as_demo, "launches-progress")
    rows = launching.wait_rows(as_demo, [name], "Active")
    assert "ACTIVE" in rows[name]
    # the launch saw its boot volume made without "downloading": a clone, timed
    assert re.search(r"Cloned \([0-9.]+ s\)", rows[name]), rows[name]
    assert "Copied" not in rows[name] and "Likely reasons" not in rows[name]
    pages.assert_rows_one_line(as_demo, "launches")
    pages.screenshot(as_demo, "launches-active")
    pages.narrow_screenshot(as_demo, "launches-active-narrow")

    server, volume, port = check_server(facts, demo_api, emulator, name)

    # Horizon's own Instances panel shows the server with its fixed IP.
    as_demo.get(horizon.url + "/project/instances/")
    row = pages.wait(as_demo).until(lambda d: pages.table_rows(d, "instances").get(server.id))
    assert name in row and port["fixed_ips"][0]["ip_address"] in row, row

    delete_and_check_gone(demo_api, emulator, server, volume, port)


def test_launch_three_at_once(as_demo, horizon, facts, demo_api, emulator, cleanup):
    name = launching.unique_name("bt-three")
    cleanup.append(name)
    names = [f"{name}-{i}" for i in (1, 2, 3)]

    launching.launch(as_demo, horizon.url, facts, name, count=3)
    launching.wait_rows(as_demo, names, timeout=30)
    pages.screenshot(as_demo, "launches-three-progress")
    launching.wait_rows(as_demo, names, "Active", timeout=300)
    pages.screenshot(as_demo, "launches-three-active")

    checked = [check_server(facts, demo_api, emulator, n) for n in names]
    assert len({volume.id for _s, volume, _p in checked}) == 3
    for server, volume, port in checked:
        delete_and_check_gone(demo_api, emulator, server, volume, port)


def test_launch_from_qcow2_goes_active_by_copy(
    as_demo, horizon, facts, demo_api, emulator, cleanup
):
    """Cinder downloads and converts a qcow2 image (no clone): slower, but it boots."""
    name = launching.unique_name("bt-qcow2")
    cleanup.append(name)

    def confirm_copy(modal):
        assert "Clone path: Copy" in modal.text, modal.text
        box = modal.find_element(By.NAME, "copy_confirmed")
        assert not box.is_selected()
        # Horizon's themable checkbox: the user clicks its label
        box.find_element(By.XPATH, "following-sibling::label").click()
        assert box.is_selected()

    launching.launch(as_demo, horizon.url, facts, name, image="qcow2", on_source=confirm_copy)
    rows = launching.wait_rows(as_demo, [name], "Active", reload=True)
    assert "ACTIVE" in rows[name]
    # Cinder's copy passed through "downloading": said, timed, and no warning
    # (the clone path had said Copy)
    assert re.search(r"Copied \([0-9.]+ s\)", rows[name]), rows[name]
    assert "Cloned" not in rows[name] and "Likely reasons" not in rows[name]
    server = _server(demo_api, name)
    attached = getattr(server, "os-extended-volumes:volumes_attached")
    volume = demo_api.cinder.volumes.get(attached[0]["id"])
    assert volume.volume_image_metadata["image_id"] == facts["images"]["qcow2"]
    lvol = emulator.volume_by_name(f"volume-{volume.id}")
    assert lvol is not None and not lvol["sourceSnapshotName"], lvol
