"""Django settings for the unit tests: Horizon's own test settings plus this plugin."""

from openstack_dashboard import enabled as horizon_enabled
from openstack_dashboard.test.settings import *  # noqa: F403
from openstack_dashboard.test.settings import HORIZON_CONFIG, INSTALLED_APPS
from openstack_dashboard.utils import settings as settings_utils

import enabled as lightbits_enabled

# Redo Horizon's plugin loading with our enabled files beside Horizon's own,
# as a deployment that copied them into local/enabled would.
_horizon_plugin_apps = set(HORIZON_CONFIG.pop("plugins", []))
HORIZON_CONFIG.pop("dashboards", None)
HORIZON_CONFIG.pop("default_dashboard", None)
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in _horizon_plugin_apps]
settings_utils.update_dashboards(
    [horizon_enabled, lightbits_enabled], HORIZON_CONFIG, INSTALLED_APPS
)

# As the README's settings say: Horizon's reporter filter, plus the JWT.
DEFAULT_EXCEPTION_REPORTER_FILTER = "lightbits_dashboard.reporting.ReporterFilter"

LIGHTBITS_DASHBOARD = {
    "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"], "lightbits-ssd": ["lightbits-ssd"]},
    "LAUNCH_POLL_INTERVAL": 0,
}
