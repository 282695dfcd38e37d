"""A stand-in for os-brick's LIGHTOS connector: the local cloud's data path.

os-brick's ``LightOSConnector`` attaches a Lightbits volume over NVMe/TCP,
which these machines cannot do. ``FileConnector`` keeps its connector
properties (host NQN from /etc/nvme/hostnqn, the discovery-client probe,
host IPs) and replaces only the data path: ``connect_volume`` asks the
Lightbits emulator for the volume by the UUID in Cinder's connection info
(``POST /_emulator/volumes/{uuid}/attach``); the emulator refuses unless the
volume's ACL holds this host's NQN (as the real target does) and answers with
the volume's file, which becomes the "device" path. ``disconnect_volume``
releases it. Everything above it (the LightOS Cinder driver, Glance's cinder
store, Cinder's image code, qemu-img) runs unchanged.

``install()`` points os-brick's connector factory at it; the devcloud's
launchers of cinder-volume, glance-api and nova-compute call it. Settings:
DEVCLOUD_EMULATOR_URL, DEVCLOUD_EMULATOR_JWT_FILE (the emulator's admin
token) and DEVCLOUD_CA_BUNDLE (TLS verification stays on).

Not modelled: multipath and failover of the data path (one file, whatever
the replicas and nodes), NVMe/TCP timing and errors, a block device (the path
is a regular file: writes past its end grow it instead of failing), and the
discovery client's own connection bookkeeping.
"""

import http.client
import json
import logging
import os
import ssl
import urllib.error
import urllib.request

import os_brick.privileged
from os_brick import exception, initiator, utils
from os_brick.initiator import connector as brick_connector
from os_brick.initiator.connectors import lightos

LOG = logging.getLogger(__name__)


def _call(uuid, action, body):
    url = os.environ["DEVCLOUD_EMULATOR_URL"].rstrip("/")
    with open(os.environ["DEVCLOUD_EMULATOR_JWT_FILE"]) as f:
        token = f.read().strip()
    req = urllib.request.Request(
        f"{url}/_emulator/volumes/{uuid}/{action}",
        data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
        method="POST",
    )
    ctx = ssl.create_default_context(cafile=os.environ.get("DEVCLOUD_CA_BUNDLE") or None)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=600) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        raise exception.BrickException(
            message=f"Lightbits emulator refused to {action} volume {uuid}: {exc.code} {detail}"
        )


class FileConnector(lightos.LightOSConnector):
    """LIGHTOS connector whose device is the emulator's file of the volume."""

    def connect_volume(self, connection_properties):
        uuid = connection_properties["uuid"]
        read_only = connection_properties.get("access_mode") == "ro"
        answer = _call(uuid, "attach", {"hostNQN": utils.get_host_nqn(), "readOnly": read_only})
        LOG.info("LIGHTOS stand-in: volume %s attached at %s", uuid, answer["path"])
        return {"type": "block", "path": answer["path"]}

    def disconnect_volume(
        self, connection_properties, device_info, force=False, ignore_errors=False
    ):
        uuid = connection_properties["uuid"]
        try:
            _call(uuid, "detach", {"hostNQN": utils.get_host_nqn()})
        except exception.BrickException:
            if not (force or ignore_errors):
                raise
            LOG.warning("LIGHTOS stand-in: detach of %s failed", uuid, exc_info=True)

    def get_volume_paths(self, connection_properties):
        path = os.path.join(os.environ.get("DEVCLOUD_EMULATOR_DATA", ""), "%s.img")
        return [path % connection_properties["uuid"]]

    def extend_volume(self, connection_properties):
        return os.path.getsize(self.get_volume_paths(connection_properties)[0])


def discovery_client():
    """(host, port) of the Lightbits discovery client the connector probes.

    os-brick 7 and later read ``[os_brick] lightos_discovery_client_address``
    and ``_port``; os-brick 6.7 (2024.1) has no such options and always
    probes localhost:6060 (``lightos.DISCOVERY_CLIENT_PORT``). There the
    emulator's discovery port comes from DEVCLOUD_EMULATOR_DISCOVERY.
    """
    if not hasattr(lightos, "DISCOVERY_CLIENT_PORT"):
        conf = lightos.cfg.CONF.os_brick
        return conf.lightos_discovery_client_address, conf.lightos_discovery_client_port
    host, _, port = os.environ["DEVCLOUD_EMULATOR_DISCOVERY"].rpartition(":")
    return host, int(port)


def discovery_client_answers():
    """os-brick's own probe: HEAD /metrics on the discovery client."""
    try:
        conn = http.client.HTTPConnection(*discovery_client(), timeout=5)
        conn.request("HEAD", "/metrics")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


def _find_dsc(self):
    return "found" if discovery_client_answers() else ""


def run_privileged_in_process(*contexts):
    """The devcloud's services run as root, without sudo or rootwrap: their
    oslo.privsep calls (os-brick's, Cinder's qemu-img inspection, ...) run
    in-process instead of through a privsep daemon started with sudo."""
    if os.geteuid() != 0:
        return
    # os-brick 6.7 (2024.1) has no brick_privsep_hide_output context yet.
    brick = (
        os_brick.privileged.default,
        getattr(os_brick.privileged, "brick_privsep_hide_output", None),
    )
    for context in brick:
        if context is not None:
            context.set_client_mode(False)
    for context in contexts:
        context.set_client_mode(False)


def install():
    """Make os-brick's factory build ``FileConnector`` for the LIGHTOS protocol."""
    brick_connector._connector_mapping_linux[initiator.LIGHTOS] = f"{__name__}.FileConnector"
    if hasattr(lightos, "DISCOVERY_CLIENT_PORT"):
        # os-brick 6.7 (2024.1): its probe of localhost:6060 cannot be pointed
        # elsewhere; probe the emulator's discovery port the same way.
        lightos.LightOSConnector.find_dsc = _find_dsc
    run_privileged_in_process()
