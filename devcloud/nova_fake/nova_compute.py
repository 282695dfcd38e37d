"""nova-compute with the devcloud's fake driver importable as nova.virt.devcloud_fake.

Nova loads ``compute_driver`` only from the ``nova.virt`` package.
"""

import os
import sys

from nova.cmd import compute  # first: applies nova's monkey patching

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.dirname(here)]

import devcloud_fake  # noqa: E402
import lightos_stand_in  # noqa: E402
import nova.privsep  # noqa: E402

# The fake driver never attaches volumes itself; any os-brick LIGHTOS
# connector built in this process uses the devcloud's data path.
lightos_stand_in.install()
lightos_stand_in.run_privileged_in_process(nova.privsep.sys_admin_pctxt)

sys.modules["nova.virt.devcloud_fake"] = devcloud_fake

if __name__ == "__main__":
    sys.exit(compute.main())
