"""cinder-volume that trusts the Lightbits emulator's CA, with TLS verification on.

The LightOS driver passes only ``verify=driver_ssl_cert_verify`` (a bool) to
``requests.Session.send``, which ignores REQUESTS_CA_BUNDLE and uses
``requests.adapters.DEFAULT_CA_BUNDLE_PATH`` (certifi). This launcher points
that path at a bundle of certifi's CAs plus the emulator's CA
(DEVCLOUD_CA_BUNDLE), so verification stays on without touching the venv.
It also installs the LIGHTOS connector stand-in (lightos_stand_in.py), through
which Cinder's image code reads and writes the volumes' data.
"""

import os
import sys

from cinder.cmd import volume  # first: applies eventlet's monkey patching

# isort: split
import requests.adapters  # ssl imported before the patching recurses forever
import requests.utils

# isort: split
import cinder.privsep  # noqa: E402
import lightos_stand_in  # the data path: os-brick's LIGHTOS connector stand-in

lightos_stand_in.install()
lightos_stand_in.run_privileged_in_process(cinder.privsep.sys_admin_pctxt)

bundle = os.environ.get("DEVCLOUD_CA_BUNDLE")
if bundle:
    requests.adapters.DEFAULT_CA_BUNDLE_PATH = bundle
    requests.utils.DEFAULT_CA_BUNDLE_PATH = bundle

if __name__ == "__main__":
    sys.exit(volume.main())
