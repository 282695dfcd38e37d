"""Nova's fake hypervisor, made to look like a Lightbits-enabled (NVMe/TCP) host.

Cinder's LightOS driver refuses a connector without the host NQN, a found
discovery client and host IPs; nova's FakeDriver reports none of them.
Loaded by nova-compute as ``nova.virt.devcloud_fake`` (see nova_compute.py).
"""

import lightos_stand_in
import nova.conf
from nova.virt import fake
from os_brick.initiator.connectors import lightos  # noqa: F401  registers [os_brick] options

CONF = nova.conf.CONF
HOSTNQN_FILE = "/etc/nvme/hostnqn"


def _host_nqn():
    with open(HOSTNQN_FILE) as f:
        return f.read().strip()


class NVMeFakeDriver(fake.FakeDriverWithoutFakeNodes):
    def get_volume_connector(self, instance):
        connector = super().get_volume_connector(instance)
        connector.update(
            nqn=_host_nqn(),
            found_dsc=lightos_stand_in.discovery_client_answers(),
            host_ips=[CONF.my_block_storage_ip],
            ip=CONF.my_block_storage_ip,
            host=self._host,
        )
        return connector
