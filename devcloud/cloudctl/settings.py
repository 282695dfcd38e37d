"""Fixed facts of the local cloud: paths, ports, credentials."""

import os

DEVCLOUD = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(DEVCLOUD)
STATE = os.environ.get("DEVCLOUD_STATE", os.path.join(ROOT, ".devcloud"))
# The OpenStack release whose services run (devcloud start --release, or
# DEVCLOUD_RELEASE). The newest runs from .cloud-venv; an older one from
# .venvs/cloud-<release> (tools/bootstrap --release <release>).
DEFAULT_RELEASE = "2026.2"
RELEASES = ("2024.1", DEFAULT_RELEASE)
RELEASE = os.environ.get("DEVCLOUD_RELEASE") or DEFAULT_RELEASE
LEGACY = RELEASE != DEFAULT_RELEASE
VENV = (
    os.path.join(ROOT, ".venvs", "cloud-" + RELEASE)
    if LEGACY
    else os.path.join(ROOT, ".cloud-venv")
)
VENV_BIN = os.path.join(VENV, "bin")
TEMPLATES = os.path.join(DEVCLOUD, "etc")
ETC = os.path.join(STATE, "etc")
LOGS = os.path.join(STATE, "log")
RUN = os.path.join(STATE, "run")
LIB = os.path.join(STATE, "lib")


def ensure_state_dir():
    """Only root may enter the state directory (mode 0700).

    It holds the database, keys, the emulator's admin JWT and every
    service's password. It also makes each start prove that no service
    depends on where the checkout lives: every service runs as root (none
    as its Debian user, who could not enter a 0700 parent such as /root),
    except memcached, which reads no file.
    """
    os.makedirs(STATE, mode=0o700, exist_ok=True)
    os.chmod(STATE, 0o700)


RELEASE_FILE = os.path.join(STATE, "release")


def state_release():
    """The release whose databases the state directory holds (None: new)."""
    try:
        with open(RELEASE_FILE) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def claim_state_for_release():
    """Record the release in a new state dir; refuse another release's.

    Database schemas only upgrade: a state dir made by one release cannot
    serve another. Each release gets its own (DEVCLOUD_STATE).
    """
    held = state_release()
    if held is None:
        # State dirs from before releases existed were made by the default one.
        held = DEFAULT_RELEASE if os.path.exists(os.path.join(STATE, "lib")) else RELEASE
        with open(RELEASE_FILE, "w") as f:
            f.write(held + "\n")
    return held


HOST = "127.0.0.1"
REGION = "RegionOne"
# The name every service registers under (independent of the machine's name).
SERVICE_HOST = "devcloud"

# DEVCLOUD_PORT_OFFSET (with DEVCLOUD_STATE) runs a second cloud beside the first.
_OFFSET = int(os.environ.get("DEVCLOUD_PORT_OFFSET", "0"))
_BASE_PORTS = {
    "mariadb": 23306,
    "rabbitmq": 25672,
    "rabbitmq_dist": 25673,
    "epmd": 24369,
    "keystone": 25000,
    "glance": 29292,
    "cinder": 28776,
    "nova": 28774,
    "placement": 28778,
    "neutron": 29696,
    "emulator": 28443,
    "emulator_discovery": 28449,
    "memcached": 21211,
}
PORTS = {name: port + _OFFSET for name, port in _BASE_PORTS.items()}

DB_USER = "devcloud"
DB_PASSWORD = "devcloud-db"
RABBIT_USER = "devcloud"
RABBIT_PASSWORD = "devcloud-rabbit"
DATABASES = (
    "keystone",
    "glance",
    "cinder",
    "nova",
    "nova_api",
    "nova_cell0",
    "placement",
    "neutron",
)

ADMIN = {"username": "admin", "password": "admin", "project": "admin"}
DEMO = {"username": "demo", "password": "demo", "project": "demo"}
SERVICE_PROJECT = "service"
SERVICE_PASSWORD = "devcloud-service"
# One Keystone user per service, all holding admin + service in project "service".
SERVICE_USERS = ("glance", "cinder", "nova", "placement", "neutron")

LIGHTBITS_TYPE = "lightbits"
LIGHTBITS_STORE = "lightbits"
FILE_STORE = "file"


def url(service, path=""):
    return f"http://{HOST}:{PORTS[service]}{path}"


AUTH_URL = url("keystone", "/v3")


def db_url(name):
    return f"mysql+pymysql://{DB_USER}:{DB_PASSWORD}@{HOST}:{PORTS['mariadb']}/{name}?charset=utf8"


TRANSPORT_URL = f"rabbit://{RABBIT_USER}:{RABBIT_PASSWORD}@{HOST}:{PORTS['rabbitmq']}/"

# Keystone catalog: service type -> (service name, endpoint URL).
CATALOG = {
    "identity": ("keystone", url("keystone", "/v3")),
    "image": ("glance", url("glance")),
    "volumev3": ("cinderv3", url("cinder", "/v3/%(project_id)s")),
    "compute": ("nova", url("nova", "/v2.1")),
    "placement": ("placement", url("placement")),
    "network": ("neutron", url("neutron")),
}
