"""Start and stop a Horizon (Django runserver) with the plugin, for the browser tests.

One process, no autoreload: launches run in background threads of the
Horizon process and their failures are kept in its locmem cache, so the
process that served the workflow must be the one serving the Launches page.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")


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


class HorizonServer:
    def __init__(self, cloud_json, state_dir, port=None):
        self.cloud_json = cloud_json
        self.state_dir = state_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = os.path.join(state_dir, "horizon.log")
        self.proc = None

    def start(self, timeout=120):
        os.makedirs(self.state_dir, exist_ok=True)
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="tests.browser.demo_settings",
            LIGHTBITS_DEMO_CLOUD_JSON=self.cloud_json,
            LIGHTBITS_DEMO_STATE=self.state_dir,
            LIGHTBITS_DEMO_SECRET_KEY=secrets.token_urlsafe(32),
            PYTHONPATH=ROOT,
        )
        cmd = [
            PYTHON,
            "-m",
            "django",
            "runserver",
            "--noreload",
            "--insecure",  # serve static files with DEBUG off
            f"127.0.0.1:{self.port}",
        ]
        log = open(self.log_file, "ab")
        try:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        self._wait(timeout)
        return self

    def _wait(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError(f"Horizon exited ({self.proc.returncode}); see {self.log_file}")
            try:
                with urllib.request.urlopen(self.url + "/auth/login/", timeout=120) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise StartError(f"Horizon did not answer in {timeout}s; see {self.log_file}")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


if __name__ == "__main__":  # python -m tests.browser.horizon: serve until Ctrl-C
    server = HorizonServer(
        os.path.join(ROOT, ".devcloud", "cloud.json"),
        os.path.join(ROOT, "test-artifacts", "horizon"),
    ).start()
    print(f"Horizon at {server.url} (log {server.log_file})", file=sys.stderr)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
