"""A launch interrupted during the boot (Horizon stopped after Nova accepted
the server, before its id reached the launch record), cleaned up for real."""

from selenium.webdriver.common.by import By

from lightbits_dashboard.launch import record
from tests.browser import cloud, launching, pages

# A resource no compute node has: Placement finds no host, Nova buries the
# server in ERROR before its volume is attached (the volume stays "reserved").
NOWHERE = {"resources:CUSTOM_LIGHTBITS_TEST_NOWHERE": "1"}


def _boot_volume(demo_api, facts, rec):
    """The boot volume a launch driver made, with its launch record ``rec``."""
    volume = demo_api.cinder.volumes.create(
        1,
        name=f"{rec.server_name}-boot",
        imageRef=facts["images"]["raw"],
        volume_type=facts["volume_type"]["name"],
        metadata=record.encode(rec),
    )
    cloud.wait_for(
        "the boot volume available",
        lambda: demo_api.cinder.volumes.get(volume.id).status == "available",
        timeout=180,
    )
    return volume.id


def _boot(demo_api, facts, rec, volume_id):
    """The server the driver asked Nova for (its boot-volume mark included)."""
    bdm = [
        {
            "source_type": "volume",
            "destination_type": "volume",
            "uuid": volume_id,
            "boot_index": 0,
            "delete_on_termination": True,
        }
    ]
    server = demo_api.nova.servers.create(
        rec.server_name,
        None,
        rec.spec.flavor,
        block_device_mapping_v2=bdm,
        nics=[{"net-id": facts["networks"]["private"]}],
        meta={record.SERVER_MARK: volume_id},
    )
    return server.id


def _record(facts, launch_id, name, index, count, flavor_id, state=record.BOOTING):
    server_name = name if count == 1 else f"{name}-{index}"
    return record.LaunchRecord(
        launch_id, name, index, count, server_name, facts["images"]["raw"], state,
        record.ServerSpec(flavor=flavor_id, networks=(facts["networks"]["private"],)),
    )  # fmt: skip


def _interrupted_in_boot(demo_api, facts, name, flavor_id):
    """What the driver left when Horizon stopped: the boot volume with its
    launch record (state booting, no server id) and an ERROR server."""
    rec = _record(facts, "bt-interrupted", name, 1, 1, flavor_id)
    volume_id = _boot_volume(demo_api, facts, rec)
    server_id = _boot(demo_api, facts, rec, volume_id)
    cloud.wait_for(
        "the server in ERROR",
        lambda: demo_api.nova.servers.get(server_id).status == "ERROR",
        timeout=120,
    )
    return volume_id, server_id


def test_an_interrupted_launch_of_three_shows_the_servers_nova_has(
    as_demo, horizon, facts, demo_api, cleanup
):
    """Horizon stopped during a launch of 3: two servers ACTIVE in Nova (the
    first's id recorded, the second's not), the third still cloning. Each
    row shows its server from the page's one Nova list (its name filter,
    which Nova runs with every "|" escaped on MariaDB), the unrecorded one
    marked as found."""
    name = launching.unique_name("bt-int3")
    cleanup.append(name)
    flavor = demo_api.nova.flavors.find(name="m1.tiny").id
    recs = [_record(facts, f"bt-{name}", name, i, 3, flavor) for i in (1, 2, 3)]
    recs[2] = recs[2].with_(state=record.CLONING)
    volumes = [_boot_volume(demo_api, facts, rec) for rec in recs]
    servers = [_boot(demo_api, facts, rec, v) for rec, v in zip(recs[:2], volumes)]
    demo_api.cinder.volumes.set_metadata(
        volumes[0], record.state_keys(recs[0].with_(server_id=servers[0]))
    )
    for server_id in servers:
        cloud.wait_for(
            "the server ACTIVE",
            lambda s=server_id: demo_api.nova.servers.get(s).status == "ACTIVE",
            timeout=180,
        )

    as_demo.get(horizon.url + launching.LAUNCHES_URL)
    names = [rec.server_name for rec in recs]
    rows = launching.wait_rows(as_demo, names, "Interrupted", timeout=60, reload=True)
    pages.assert_rows_one_line(as_demo, "launches")
    pages.screenshot(as_demo, "launches-interrupted")
    first, second, third = (" ".join(rows[n].split()) for n in names)
    assert " ACTIVE " in first and "found by" not in first, first
    assert "ACTIVE (found by its boot volume)" in second, second
    assert " ACTIVE" not in third, third
    links = {
        a.get_attribute("href")
        for a in as_demo.find_elements(By.CSS_SELECTOR, "table#launches td a[href]")
    }
    for server_id in servers:
        assert any(link.endswith(f"/project/instances/{server_id}/") for link in links), links


def test_clean_up_deletes_the_unrecorded_error_server_then_its_volume(
    as_demo, horizon, facts, demo_api, admin_api, cleanup
):
    name = launching.unique_name("bt-int")
    cleanup.append(name)
    flavor = admin_api.nova.flavors.create(name, 64, 1, 0)
    try:
        flavor.set_keys(NOWHERE)
        volume_id, server_id = _interrupted_in_boot(demo_api, facts, name, flavor.id)
    finally:
        flavor.delete()
    volume_status = demo_api.cinder.volumes.get(volume_id).status

    as_demo.get(horizon.url + launching.LAUNCHES_URL)
    rows = launching.wait_rows(as_demo, [name], " Error ", timeout=60, reload=True)
    assert "Finish Launch" not in rows[name], rows[name]
    row = (
        f"//table[@id='launches']//tr[starts-with(@id, 'launches__row__')]"
        f"[td[1][normalize-space()={pages.xpath_literal(name)}]]"
    )
    as_demo.find_element(By.XPATH, row + "//*[contains(@id, '__action_clean_up')]").click()
    confirm = ".modal.in .modal-footer .btn-danger, .modal.in .modal-footer .btn-primary"

    def started(d):
        buttons = d.find_elements(By.CSS_SELECTOR, confirm)  # Horizon asks to confirm
        if buttons and buttons[0].is_displayed():
            buttons[0].click()
        return "Clean up started" in d.page_source

    pages.wait(as_demo, 60).until(started)
    alerts = " ".join(a.text for a in as_demo.find_elements(By.CSS_SELECTOR, ".alert"))
    assert f": {name}" in alerts and volume_id not in alerts, alerts

    cloud.wait_for(
        "the ERROR server deleted", lambda: demo_api.server_or_none(server_id) is None, 120
    )
    cloud.wait_for(
        f"the boot volume (was {volume_status}) deleted",
        lambda: demo_api.volume_or_none(volume_id) is None,
        timeout=120,
    )
