"""One direction of dependency: panels -> logic -> API clients.

The logic modules are plain Python: they import neither Django (nor
Horizon) nor the panels nor the API clients, so tests and tools can drive
them without a Django setup. Every module of the package is logic unless it
is a panel (dashboards/), an API client (api/) or Django-side
infrastructure (DJANGO_SIDE): a new module is checked without being listed.
"""

import pathlib
import subprocess
import sys

import lightbits_dashboard

# The package under test: the checkout's, or the installed one in a release run.
PACKAGE = pathlib.Path(lightbits_dashboard.__file__).resolve().parent
ROOT = PACKAGE.parent
NOT_LOGIC = ("api", "dashboards", "local")  # folders
DJANGO_SIDE = (  # settings, the plugin's cache, the error-report filter
    "lightbits_dashboard.conf",
    "lightbits_dashboard.reporting",
    "lightbits_dashboard.shared_cache",
)
FORBIDDEN = (
    "django",
    "horizon",
    "openstack_dashboard",
    "lightbits_dashboard.api",
    "lightbits_dashboard.dashboards",
)


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules():
    return sorted(module_name(path) for path in PACKAGE.rglob("*.py"))


def logic_modules():
    return [
        name
        for name in all_modules()
        if name not in DJANGO_SIDE
        and name != "lightbits_dashboard"
        and name.split(".")[1] not in NOT_LOGIC
    ]


def test_the_walk_finds_every_logic_module_and_the_excluded_ones_exist():
    logic = logic_modules()
    for name in (
        "lightbits_dashboard.model",
        "lightbits_dashboard.storable",
        "lightbits_dashboard.launch.image_fit",
        "lightbits_dashboard.launch.summaries",
        "lightbits_dashboard.convert.engine",
    ):
        assert name in logic
    assert set(DJANGO_SIDE) <= set(all_modules())
    assert not [name for name in logic if ".dashboards" in name or ".api" in name]


def test_logic_modules_import_no_django_panels_or_api_clients():
    logic = logic_modules()
    code = f"import sys\nfor m in {logic!r}: __import__(m)\nprint(*sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(logic) <= set(loaded)
    wrong = [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert wrong == []
