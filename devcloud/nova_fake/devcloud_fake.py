"""Nova's fake hypervisor, made to look like a Lightbits-enabled (NVMe/TCP) host.

Cinder's LightOS driver refuses a connector without the host NQN, a found
discovery client and host IPs; nova's FakeDriver reports none of them.
Loaded by nova-compute as ``nova.virt.devcloud_fake`` (see nova_compute.py).
"""

import http.client

import nova.conf
from nova.virt import fake
from os_brick.initiator.connectors import lightos  # noqa: F401  registers [os_brick] options

CONF = nova.conf.CONF
HOSTNQN_FILE = "/etc/nvme/hostnqn"


def _host_nqn():
    with open(HOSTNQN_FILE) as f:
        return f.read().strip()


def _discovery_client_answers():
    """os-brick's own probe: HEAD /metrics on the Lightbits discovery client."""
    try:
        conn = http.client.HTTPConnection(
            CONF.os_brick.lightos_discovery_client_address,
            CONF.os_brick.lightos_discovery_client_port,
            timeout=5,
        )
        conn.request("HEAD", "/metrics")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


class NVMeFakeDriver(fake.FakeDriverWithoutFakeNodes):
    def get_volume_connector(self, instance):
        connector = super().get_volume_connector(instance)
        connector.update(
            nqn=_host_nqn(),
            found_dsc=_discovery_client_answers(),
            host_ips=[CONF.my_block_storage_ip],
            ip=CONF.my_block_storage_ip,
            host=self._host,
        )
        return connector
