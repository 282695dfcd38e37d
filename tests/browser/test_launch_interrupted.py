"""A launch interrupted during the boot (Horizon stopped after Nova accepted
the server, before its id reached the launch record), cleaned up for real."""

from selenium.webdriver.common.by import By

from lightbits_dashboard.launch import record
from tests.browser import cloud, launching, pages

# A resource no compute node has: Placement finds no host, Nova buries the
# server in ERROR before its volume is attached (the volume stays "reserved").
NOWHERE = {"resources:CUSTOM_LIGHTBITS_TEST_NOWHERE": "1"}


def _interrupted_in_boot(demo_api, facts, name, flavor_id):
    """What the driver left when Horizon stopped: the boot volume with its
    launch record (state booting, no server id) and an ERROR server."""
    rec = record.LaunchRecord(
        "bt-interrupted", name, 1, 1, name, facts["images"]["raw"], record.BOOTING,
        record.ServerSpec(flavor=flavor_id, networks=(facts["networks"]["private"],)),
    )  # fmt: skip
    volume = demo_api.cinder.volumes.create(
        1,
        name=f"{name}-boot",
        imageRef=facts["images"]["raw"],
        volume_type=facts["volume_type"]["name"],
        metadata=record.encode(rec),
    )
    cloud.wait_for(
        "the boot volume available",
        lambda: demo_api.cinder.volumes.get(volume.id).status == "available",
        timeout=180,
    )
    bdm = [
        {
            "source_type": "volume",
            "destination_type": "volume",
            "uuid": volume.id,
            "boot_index": 0,
            "delete_on_termination": True,
        }
    ]
    server = demo_api.nova.servers.create(
        name,
        None,
        flavor_id,
        block_device_mapping_v2=bdm,
        nics=[{"net-id": facts["networks"]["private"]}],
        meta={record.SERVER_MARK: volume.id},
    )
    cloud.wait_for(
        "the server in ERROR",
        lambda: demo_api.nova.servers.get(server.id).status == "ERROR",
        timeout=120,
    )
    return volume.id, server.id


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
