"""The local cloud runs wherever its checkout lives (issue 23, item 2).

A clone under a directory only root can enter (root's home, 0700) once
could not start: RabbitMQ ran as Debian's ``rabbitmq`` user and could not
reach its cookie. devcloud now keeps its state directory 0700, so every
start (this suite's included) happens under a parent only root can enter,
and every service runs as root, except memcached, which reads no file.
"""

import glob
import os
import stat

# Processes that may run as another user: they open no file of the state dir.
NO_FILES = {"memcached"}


def _uid(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise AssertionError(f"no Uid in /proc/{pid}/status")


def _running(state_dir):
    """name -> pid of each process devcloud started and recorded."""
    found = {}
    for path in glob.glob(os.path.join(state_dir, "run", "*.pid")):
        with open(path) as f:
            pid = int(f.read().split()[0])
        if os.path.exists(f"/proc/{pid}"):
            found[os.path.basename(path)[: -len(".pid")]] = pid
    return found


def test_only_root_can_enter_the_state_dir(cloud):
    mode = stat.S_IMODE(os.stat(cloud["state_dir"]).st_mode)
    assert mode == 0o700, oct(mode)


def test_every_service_that_reads_state_runs_as_root(cloud):
    running = _running(cloud["state_dir"])
    assert {"rabbitmq", "epmd", "mariadb", "keystone", "cinder-volume"} <= set(running)
    others = {name: _uid(pid) for name, pid in running.items() if name not in NO_FILES}
    assert {name: uid for name, uid in others.items() if uid != 0} == {}
