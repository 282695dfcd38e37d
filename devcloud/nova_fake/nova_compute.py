"""nova-compute with the devcloud's fake driver importable as nova.virt.devcloud_fake.

Nova loads ``compute_driver`` only from the ``nova.virt`` package.
"""

import os
import sys

from nova.cmd import compute  # first: applies nova's monkey patching

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import devcloud_fake  # noqa: E402

sys.modules["nova.virt.devcloud_fake"] = devcloud_fake

if __name__ == "__main__":
    sys.exit(compute.main())
