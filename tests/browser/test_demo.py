"""tools/demo: restarting Horizon while the demo runs leaves the local cloud up."""

import os
import signal
import subprocess
import threading
import time

from tests.browser import cloud
from tests.browser.horizon import ROOT, RUNNER, answers


def _follow(proc, lines):
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))


def _wait_line(lines, text, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in lines):
            return
        assert proc.poll() is None, "tools/demo exited:\n" + "\n".join(lines[-30:])
        time.sleep(0.5)
    raise AssertionError(f"tools/demo never said {text!r}:\n" + "\n".join(lines[-30:]))


def test_stopping_horizon_during_the_demo_leaves_the_cloud_up(horizon, facts):
    env = dict(os.environ, HORIZON_PORT=str(horizon.port))
    demo = subprocess.Popen(
        [os.path.join(ROOT, "tools", "demo")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    threading.Thread(target=_follow, args=(demo, lines), daemon=True).start()
    try:
        _wait_line(lines, "Demo ready", demo, timeout=300)
        stop = subprocess.run([RUNNER, "stop"], cwd=ROOT, env=env, capture_output=True)
        assert stop.returncode == 0
        _wait_line(lines, "Horizon stopped", demo, timeout=15)
        time.sleep(3)  # what the demo did on Horizon's exit has happened by now
        assert demo.poll() is None, "\n".join(lines[-30:])
        assert os.path.exists(cloud.CLOUD_JSON)
        status = subprocess.run(
            [os.path.join(ROOT, "devcloud", "devcloud"), "status"], cwd=ROOT, env=env
        )
        assert status.returncode == 0
        start = subprocess.run(
            [RUNNER, "start"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert start.returncode == 0, start.stdout + start.stderr
        assert answers(horizon.url)
        _wait_line(lines, "Horizon is up again", demo, timeout=15)
    finally:
        # Not Ctrl-C: that stops the cloud (and Horizon) the other tests use.
        os.killpg(demo.pid, signal.SIGKILL)
        demo.wait(10)
