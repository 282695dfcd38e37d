"""Django settings for a Horizon serving the plugin against the local cloud.

Horizon's own settings, then the devcloud's Keystone, the emulator as the
Lightbits cluster, and what runserver on loopback needs (locmem cache, signed
cookie sessions, no offline compression). Everything machine-specific comes
from the environment that ``tests.browser.horizon`` sets: the devcloud facts
file (``LIGHTBITS_DEMO_CLOUD_JSON``), a state directory
(``LIGHTBITS_DEMO_STATE``) and a per-run secret key
(``LIGHTBITS_DEMO_SECRET_KEY``).
"""

import json
import os

from openstack_dashboard import enabled as horizon_enabled
from openstack_dashboard.settings import *  # noqa: F403
from openstack_dashboard.settings import HORIZON_CONFIG, INSTALLED_APPS
from openstack_dashboard.utils import settings as settings_utils

import enabled as lightbits_enabled

with open(os.environ["LIGHTBITS_DEMO_CLOUD_JSON"], encoding="utf-8") as _f:
    _CLOUD = json.load(_f)
_STATE = os.environ["LIGHTBITS_DEMO_STATE"]

# Horizon's settings loaded only its own enabled files: load ours beside them,
# as a deployment that copied them into local/enabled would.
_horizon_plugin_apps = set(HORIZON_CONFIG.pop("plugins", []))
HORIZON_CONFIG.pop("dashboards", None)
HORIZON_CONFIG.pop("default_dashboard", None)
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in _horizon_plugin_apps]
settings_utils.update_dashboards(
    [horizon_enabled, lightbits_enabled], HORIZON_CONFIG, INSTALLED_APPS
)

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = os.environ["LIGHTBITS_DEMO_SECRET_KEY"]

OPENSTACK_HOST = "127.0.0.1"
OPENSTACK_KEYSTONE_URL = _CLOUD["auth_url"]
OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"
OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = "Default"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

COMPRESS_OFFLINE = False
STATIC_ROOT = os.path.join(_STATE, "static")
COMPRESS_ROOT = STATIC_ROOT

_emulator = _CLOUD["emulator"]
LIGHTBITS_DASHBOARD = {
    "STORE_VOLUME_TYPES": {_CLOUD.get("stores", {}).get("lightbits", "lightbits"): ["lightbits"]},
    "CLUSTERS": {
        "lightbits": {
            "api_endpoints": [_emulator["url"].split("://", 1)[1]],
            "jwt_file": _emulator["admin_jwt_file"],
            "ca_file": _emulator["ca_file"],
        }
    },
    "SERVICE_PROJECTS": [_CLOUD.get("service_project", "service")],
    "LAUNCH_POLL_INTERVAL": 1,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "file": {
            "class": "logging.FileHandler",
            "filename": os.path.join(_STATE, "horizon-app.log"),
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["file"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["file"], "level": "WARNING", "propagate": False},
        "lightbits_dashboard": {"handlers": ["file"], "level": "INFO", "propagate": False},
    },
}
