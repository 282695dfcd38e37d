"""Waiting for the services that register themselves (nova-compute, cinder-volume)."""

import datetime

from cinderclient import client as cinder_client
from novaclient import client as nova_client

from cloudctl import identity, procs, services, settings


def _service_up(services_list, host, since):
    """Up, enabled, and (since given) reported by the process started now, not a stale record."""
    return any(
        s.state == "up"
        and s.status == "enabled"
        and s.host.startswith(host)
        and (since is None or _parse(s.updated_at) >= since)
        for s in services_list
    )


def _parse(stamp):
    if not stamp:
        return datetime.datetime.min
    return datetime.datetime.fromisoformat(stamp.split(".")[0].replace("Z", ""))


def utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


def wait_compute(since, timeout=120):
    nova = nova_client.Client("2.53", session=identity.session(), region_name=settings.REGION)
    procs.wait_for(
        "nova-compute service",
        lambda: _service_up(
            nova.services.list(binary="nova-compute"), settings.SERVICE_HOST, since
        ),
        timeout,
        "nova-compute",
        interval=1,
    )
    if not nova.hypervisors.list():
        procs.run(
            [services.venv_bin("nova-manage"), *services.NOVA_CONF, "cell_v2", "discover_hosts"],
            "nova-manage",
        )
    procs.wait_for(
        "nova hypervisor",
        lambda: bool(nova.hypervisors.list()),
        timeout,
        "nova-compute",
        interval=1,
    )


def wait_cinder_volume(since, timeout=120):
    cinder = cinder_client.Client("3.0", session=identity.session(), region_name=settings.REGION)
    procs.wait_for(
        "cinder-volume service",
        lambda: _service_up(
            cinder.services.list(binary="cinder-volume"),
            settings.SERVICE_HOST + "@lightbits",
            since,
        ),
        timeout,
        "cinder-volume",
        interval=1,
    )
