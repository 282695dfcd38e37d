"""The Horizon the browser tests drive: devcloud/horizon's (the demo's own).

If devcloud/horizon already serves one, the tests use it and leave it
running; otherwise they start one on a free loopback port (8000 when free)
and stop it at the end. Horizon runs launches in background threads of its
process, so one process serves the workflow and the Launches page.
"""

import json
import os
import socket
import subprocess
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join(ROOT, "devcloud", "horizon")
# devcloud/horizon keeps its pid, log and static files in the cloud's state dir.
STATE = os.environ.get("DEVCLOUD_STATE") or os.path.join(ROOT, ".devcloud")
LOG_FILE = os.path.join(STATE, "log", "horizon.log")
DEFAULT_RELEASE = "2026.2"


def release():
    """The OpenStack release of the Horizon served: DEVCLOUD_RELEASE, else the cloud's."""
    if os.environ.get("DEVCLOUD_RELEASE"):
        return os.environ["DEVCLOUD_RELEASE"]
    try:
        with open(os.path.join(STATE, "cloud.json"), encoding="utf-8") as f:
            return json.load(f).get("release", DEFAULT_RELEASE)
    except FileNotFoundError:
        return DEFAULT_RELEASE


def venv():
    """The virtualenv devcloud/horizon serves Horizon from, for that release."""
    if release() == DEFAULT_RELEASE:
        return os.path.join(ROOT, ".venv")
    return os.path.join(ROOT, ".venvs", "horizon-" + release())


class StartError(RuntimeError):
    pass


def free_port(preferred=8000):
    """``preferred`` if nothing listens there on loopback, else a free port."""
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise StartError("no free port on 127.0.0.1")


def answers(url, timeout=120):
    try:
        with urllib.request.urlopen(url + "/auth/login/", timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


class DevcloudHorizon:
    def __init__(self):
        self.port = None
        self.url = None
        self.log_file = LOG_FILE
        self.owned = False

    def _run(self, command, **env):
        return subprocess.run(
            [RUNNER, command],
            cwd=ROOT,
            env=dict(os.environ, **env),
            capture_output=True,
            text=True,
            timeout=180,
        )

    def start(self):
        if self._run("status").returncode == 0:
            self.port = int(os.environ.get("HORIZON_PORT", "8000"))
        else:
            self.port = free_port()
            result = self._run("start", HORIZON_PORT=str(self.port))
            if result.returncode != 0:
                raise StartError(f"devcloud/horizon start: {result.stdout}{result.stderr}")
            self.owned = True
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while not answers(self.url):
            if time.monotonic() > deadline:
                raise StartError(f"Horizon does not answer at {self.url}; see {self.log_file}")
            time.sleep(1)
        return self

    def stop(self):
        if self.owned:
            self._run("stop")
            self.owned = False
