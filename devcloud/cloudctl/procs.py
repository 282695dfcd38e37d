"""Background processes tracked by pid files, and waiting for them to answer."""

import http.client
import os
import signal
import socket
import subprocess
import time

from cloudctl import settings


def pid_file(name):
    return os.path.join(settings.RUN, name + ".pid")


def log_file(name):
    return os.path.join(settings.LOGS, name + ".log")


def read_pid(name):
    """The pid recorded for name, or None when that process is gone.

    The pid file also holds the process's start time, so a pid reused by an
    unrelated process after a crash or reboot is never taken for ours.
    """
    try:
        with open(pid_file(name)) as f:
            fields = f.read().split()
        pid = int(fields[0])
    except (OSError, ValueError, IndexError):
        return None
    if len(fields) > 1 and fields[1] != _start_time(pid):
        return None
    return pid


def _stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[-1].split()
    except OSError:
        return None


def _start_time(pid):
    stat = _stat(pid)
    # Field 22 of /proc/<pid>/stat (index 19 after "pid (comm) ").
    return stat[19] if stat else None


def alive(pid):
    if not pid:
        return False
    stat = _stat(pid)
    # A zombie child of ours counts as dead.
    return bool(stat) and stat[0] != "Z"


def running(name):
    return alive(read_pid(name))


def spawn(name, argv, env=None, cwd=None):
    """Start argv in its own session, output to log/<name>.log, pid in run/<name>.pid."""
    if running(name):
        return read_pid(name)
    full_env = dict(os.environ)
    full_env.update(env or {})
    with open(log_file(name), "ab") as log:
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
            cwd=cwd or settings.STATE,
            start_new_session=True,
        )
    with open(pid_file(name), "w") as f:
        f.write(f"{proc.pid} {_start_time(proc.pid)}\n")
    return proc.pid


def terminate(name, timeout=20, sig=signal.SIGTERM):
    """Stop the process group started under name; SIGKILL after timeout."""
    pid = read_pid(name)
    if alive(pid):
        _signal_group(pid, sig)
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if alive(pid):
            _signal_group(pid, signal.SIGKILL)
            time.sleep(0.5)
    try:
        os.unlink(pid_file(name))
    except FileNotFoundError:
        pass
    return pid


def _signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except OSError:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def port_open(port, host=settings.HOST):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def http_status(port, path="/", method="GET", host=settings.HOST):
    try:
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request(method, path)
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return None


class StartError(RuntimeError):
    pass


def wait_for(what, check, timeout=120, name=None, interval=0.5):
    """Poll check() until true; fail with the log's end when the process died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if name and not running(name):
            raise StartError(f"{what} exited; see {log_file(name)}\n{tail(log_file(name))}")
        time.sleep(interval)
    raise StartError(
        f"{what} did not answer in {timeout}s; see {log_file(name) if name else 'logs'}"
    )


def tail(path, lines=15):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 8192))
            return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return ""


def run(argv, name, env=None, timeout=600):
    """Run a one-off command (db sync...), output appended to log/<name>.log; raise on failure."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    with open(log_file(name), "ab") as log:
        rc = subprocess.call(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
            cwd=settings.STATE,
            timeout=timeout,
        )
    if rc != 0:
        raise StartError(
            f"{' '.join(argv[:3])} failed (rc {rc}); see {log_file(name)}\n{tail(log_file(name))}"
        )
