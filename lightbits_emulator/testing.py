"""Helpers for tests and tools: the emulator in a thread or in a subprocess.

with run_emulator() as emu:
    requests.get(emu.base_url + "/api/v2/clusterinfo", verify=emu.ca_file,
                 headers={"Authorization": "Bearer " + emu.admin_jwt})
"""

import contextlib
import copy
import os
import select
import shutil
import subprocess
import sys
import tempfile


class EmulatorHandle:
    """A running emulator, with direct (in-process) access to its state."""

    def __init__(self, emulator):
        self._emu = emulator
        self.host = emulator.host
        self.port = emulator.port
        self.base_url = emulator.base_url
        self.ca_file = emulator.ca_file
        self.admin_jwt = emulator.admin_jwt
        self.state_dir = emulator.state_dir
        self.discovery_port = emulator.discovery_port
        self.http_port = emulator.http_port

    @property
    def store(self):
        return self._emu.store

    def mint_jwt(self, project="default", ttl=3600, admin=False):
        return self._emu.mint_jwt(project, ttl, admin)

    def inject_fault(self, kind="status", **spec):
        """Add a fault rule (see the package docstring); returns it."""
        return self._emu.faults.add(dict(spec, kind=kind))

    def clear_faults(self):
        self._emu.faults.clear()

    def reset(self, create_delay=0.0, delete_delay=0.0):
        """An empty, healthy cluster with no faults (between tests)."""
        self.clear_faults()
        self.store.reset()
        self.set_delays(create_delay, delete_delay)

    def set_delays(self, create_delay, delete_delay):
        with self.store.lock:
            self.store.create_delay = create_delay
            self.store.delete_delay = delete_delay

    def create_project(self, name):
        """Create a Lightbits project (volumes go only into created ones)."""
        with self.store.lock:
            return self.store.create_project({"name": name})

    def node_down(self, name_or_uuid):
        return self.store.set_node_state(name_or_uuid, up=False)

    def node_up(self, name_or_uuid):
        return self.store.set_node_state(name_or_uuid, up=True)

    def _read(self, fn, *args):
        with self.store.lock:
            self.store.advance()
            return copy.deepcopy(fn(*args))

    def volumes(self, project=None):
        """Volumes as the API lists them (all projects when ``project`` is None)."""
        return self._read(self.store.list_volumes, project)

    def snapshots(self, project=None):
        return self._read(self.store.list_snapshots, project)

    def nodes(self):
        return self._read(lambda: self.store.nodes)

    def cluster(self):
        return self._read(self.store.cluster)

    def write(self, volume_uuid, nbytes):
        """Pretend a host wrote data into a volume (physical use grows)."""
        with self.store.lock:
            return copy.deepcopy(self.store.write(volume_uuid, nbytes))


@contextlib.contextmanager
def run_emulator(
    memory=True,
    state_dir=None,
    nodes=3,
    create_delay=0.0,
    delete_delay=0.0,
    port=0,
    discovery_port=None,
    http_port=None,
):
    """Run an emulator in background threads of this process."""
    from .server import Emulator  # needs PyJWT and cryptography; EmulatorProcess does not

    tmp = None
    if state_dir is None:
        tmp = state_dir = tempfile.mkdtemp(prefix="lbemu-")
    emu = Emulator(
        state_dir,
        memory=memory,
        port=port,
        http_port=http_port,
        discovery_port=discovery_port,
        nodes=nodes,
        create_delay=create_delay,
        delete_delay=delete_delay,
    ).start()
    try:
        yield EmulatorHandle(emu)
    finally:
        emu.stop()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


class EmulatorProcess:
    """``python -m lightbits_emulator serve`` as a child process.

    ``start()`` waits for the ready line; ``stop()`` sends SIGTERM. Also a
    context manager.
    """

    def __init__(self, state_dir, port=28443, python=sys.executable, log_file=None, **options):
        self.state_dir = os.path.abspath(state_dir)
        self.port = port
        self.python = python
        self.log_file = log_file
        self.options = options
        self.proc = None
        self.returncode = None

    @property
    def base_url(self):
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self):
        return os.path.join(self.state_dir, "ca.pem")

    @property
    def admin_jwt(self):
        with open(os.path.join(self.state_dir, "admin.jwt")) as f:
            return f.read().strip()

    def command(self):
        cmd = [self.python, "-m", "lightbits_emulator", "serve", "--state-dir", self.state_dir]
        cmd += ["--port", str(self.port)]
        for key, value in self.options.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                cmd.append(flag)
            elif value not in (None, False):
                cmd += [flag, str(value)]
        return cmd

    def start(self, timeout=30):
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        pythonpath = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        stderr = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            self.command(),
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=dict(os.environ, PYTHONPATH=pythonpath),
            text=True,
        )
        if stderr is not subprocess.DEVNULL:
            stderr.close()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if "lightbits-emulator ready" not in line:
            self.stop()
            raise RuntimeError(f"the Lightbits emulator did not start within {timeout} s")
        return self

    def stop(self):
        """SIGTERM (SIGKILL after 10 s); ``returncode`` tells how it ended."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.returncode = self.proc.returncode
            self.proc.stdout.close()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
