"""One direction of dependency: the logic modules are plain Python.

They import neither Django (nor Horizon) nor the panels nor the API
clients, so tests and tools can drive them without a Django setup.
"""

import pathlib
import subprocess
import sys

LOGIC = (
    "lightbits_dashboard.clone_path",
    "lightbits_dashboard.clone_probe",
    "lightbits_dashboard.launch.clone_check",
    "lightbits_dashboard.inventory",
    "lightbits_dashboard.launch.backend",
    "lightbits_dashboard.message",
    "lightbits_dashboard.model",
    "lightbits_dashboard.snapshot_image",
    "lightbits_dashboard.snapshot_path",
    "lightbits_dashboard.launch.orchestrator",
    "lightbits_dashboard.launch.progress",
    "lightbits_dashboard.launch.quota",
    "lightbits_dashboard.launch.record",
    "lightbits_dashboard.launch.runner",
    "lightbits_dashboard.launch.sizing",
    "lightbits_dashboard.launch.snapshot_plan",
    "lightbits_dashboard.convert.preflight",
    "lightbits_dashboard.convert.record",
    "lightbits_dashboard.convert.engine",
    "lightbits_dashboard.convert.client_ops",
)
FORBIDDEN = (
    "django",
    "horizon",
    "openstack_dashboard",
    "lightbits_dashboard.api",
    "lightbits_dashboard.dashboards",
)
ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_logic_modules_import_no_django_panels_or_api_clients():
    code = f"import sys\nfor m in {LOGIC!r}: __import__(m)\nprint(*sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(LOGIC) <= set(loaded)
    wrong = [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert wrong == []
