"""The Horizon the browser tests use is installed as the README says and
built as production builds it: offline compression with the plugin enabled."""

import json
import os
import subprocess

from tests.browser import horizon
from tests.browser.horizon import ROOT

VENV = horizon.venv()
STATIC_ROOT = os.path.join(horizon.STATE, "horizon", "static")


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


CHECK_INSTALLED = """
import sys
import django
import lightbits_dashboard
prefix = sys.argv[1]
assert lightbits_dashboard.__file__.startswith(prefix), lightbits_dashboard.__file__
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.template.loader import get_template
assert "lightbits_dashboard" in settings.INSTALLED_APPS
import openstack_dashboard.urls  # noqa: E402,F401  Horizon registers the panels' templates
for name in sys.argv[2:]:
    origin = get_template(name).origin.name
    assert origin.startswith(prefix), (name, origin)
call_command("check")
print("checked", len(sys.argv) - 2, "templates")
"""


def _templates():
    """The plugin's template names as Horizon's panel loader finds them:
    dashboards/<dashboard>/<panel>/templates/<panel>/x.html is <dashboard>/<panel>/x.html."""
    names = []
    dashboards = os.path.join(ROOT, "lightbits_dashboard", "dashboards")
    for folder, _dirs, files in os.walk(dashboards):
        parts = os.path.relpath(folder, dashboards).split(os.sep)
        if len(parts) >= 4 and parts[2] == "templates":
            names += ["/".join([parts[0]] + parts[3:] + [f]) for f in files if f.endswith(".html")]
    assert names
    return names


def test_pip_install_as_the_readme_says_gives_a_working_plugin(tmp_path, horizon):
    """README's "Install into an existing Horizon": `pip install .`, a regular
    (not editable) install, into a scratch prefix (--ignore-installed: the
    .venv's editable install, which the other tests use, stays). The copy has
    its templates and the enabled files under share/, and Horizon's settings
    load the plugin and every template from that copy."""
    prefix = tmp_path / "prefix"
    python = os.path.join(VENV, "bin", "python")
    result = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed"]
        + ["--prefix", str(prefix), ROOT],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    shared = prefix / "share" / "lightbits-dashboard" / "enabled"
    for name in os.listdir(os.path.join(ROOT, "enabled")):
        if name.startswith("_") and name.endswith(".py"):
            with open(os.path.join(ROOT, "enabled", name)) as a:
                assert a.read() == (shared / name).read_text(), name
    (site,) = prefix.glob("lib/python3*/site-packages")
    result = subprocess.run(
        [python, "-c", CHECK_INSTALLED, str(site)] + _templates(),
        env=dict(
            os.environ, PYTHONPATH=str(site), DJANGO_SETTINGS_MODULE="openstack_dashboard.settings"
        ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "checked" in result.stdout
