"""The Lightbits emulator (lightbits_emulator/, built by another part of the project)."""

import os

import certifi

from cloudctl import procs, settings

STATE_DIR = os.path.join(settings.STATE, "emulator")
CA_FILE = os.path.join(STATE_DIR, "ca.pem")
ADMIN_JWT_FILE = os.path.join(STATE_DIR, "admin.jwt")
CA_BUNDLE = os.path.join(STATE_DIR, "ca-bundle.pem")
REPLICAS = 3
# The driver verifies the emulator's certificate (see cinder_volume.py).
VERIFY_TLS = True


def available():
    return os.path.isfile(os.path.join(settings.ROOT, "lightbits_emulator", "__main__.py"))


def url():
    return f"https://{settings.HOST}:{settings.PORTS['emulator']}"


def start():
    if not available():
        return False
    os.makedirs(STATE_DIR, exist_ok=True)
    procs.spawn(
        "emulator",
        [
            os.path.join(settings.VENV_BIN, "python"),
            "-m",
            "lightbits_emulator",
            "serve",
            "--state-dir",
            STATE_DIR,
            "--port",
            str(settings.PORTS["emulator"]),
            "--discovery-port",
            str(settings.PORTS["emulator_discovery"]),
        ],
        env={"PYTHONPATH": settings.ROOT},
        cwd=settings.ROOT,
    )
    return True


def wait():
    if not available():
        return
    procs.wait_for(
        "Lightbits emulator",
        lambda: (
            os.path.exists(ADMIN_JWT_FILE)
            and procs.port_open(settings.PORTS["emulator"])
            and procs.http_status(settings.PORTS["emulator_discovery"], "/metrics", "HEAD") == 200
        ),
        60,
        "emulator",
    )
    with open(certifi.where()) as f:
        bundle = f.read()
    with open(CA_FILE) as f:
        bundle += "\n# Lightbits emulator (devcloud)\n" + f.read()
    with open(CA_BUNDLE, "w") as f:
        f.write(bundle)


def jwt():
    try:
        with open(ADMIN_JWT_FILE) as f:
            return f.read().strip()
    except OSError:
        return ""


def data_path_env():
    """What devcloud/lightos_stand_in.py (the LIGHTOS connector stand-in) reads."""
    return {
        "DEVCLOUD_CA_BUNDLE": CA_BUNDLE,
        "DEVCLOUD_EMULATOR_URL": url(),
        "DEVCLOUD_EMULATOR_JWT_FILE": ADMIN_JWT_FILE,
        "DEVCLOUD_EMULATOR_DATA": os.path.join(STATE_DIR, "data"),
        # os-brick 6.7 (2024.1) has no [os_brick] lightos_discovery_client_*.
        "DEVCLOUD_EMULATOR_DISCOVERY": f"{settings.HOST}:{settings.PORTS['emulator_discovery']}",
    }
