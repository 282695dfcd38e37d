"""The Horizon the browser tests use is installed as the README says and
built as production builds it: offline compression with the plugin enabled."""

import json
import os
import subprocess

from tests.browser.horizon import ROOT

VENV = os.path.join(ROOT, ".venv")
STATIC_ROOT = os.path.join(ROOT, ".devcloud", "horizon", "static")


def _dashboard_dir():
    return subprocess.run(
        [
            os.path.join(VENV, "bin", "python"),
            "-c",
            "import os, openstack_dashboard as d; print(os.path.dirname(d.__file__))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_plugin_installed_as_the_readme_says(horizon):
    enabled = os.path.join(_dashboard_dir(), "local", "enabled")
    for name in os.listdir(os.path.join(ROOT, "enabled")):
        if name.startswith("_") and name.endswith(".py"):
            with (
                open(os.path.join(ROOT, "enabled", name)) as a,
                open(os.path.join(enabled, name)) as b,
            ):
                assert a.read() == b.read(), name


def test_manage_py_compress_succeeds_with_the_plugin_enabled(horizon):
    result = subprocess.run(
        [os.path.join(VENV, "bin", "django-admin"), "compress", "--force"],
        env=dict(os.environ, DJANGO_SETTINGS_MODULE="openstack_dashboard.settings"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    with open(os.path.join(STATIC_ROOT, "dashboard", "manifest.json")) as f:
        assert json.load(f)  # the offline blocks the pages use
