"""Volumes hold bytes: sparse files, frozen snapshots, thin clones, the attach rule."""

import hashlib
import os

import pytest

from lightbits_emulator.testing import run_emulator

from .conftest import Client

GIB = 1024**3
VOLS = "/api/v2/projects/default/volumes"
SNAPS = "/api/v2/projects/default/snapshots"
HOST = "nqn.2014-08.org.nvmexpress:uuid:test-host"


@pytest.fixture
def state(tmp_path):
    return str(tmp_path)


def _client(emu):
    return Client(emu, emu.admin_jwt)


def _attach(c, uid, host=HOST, read_only=False):
    return c(
        "POST", f"/_emulator/volumes/{uid}/attach", json={"hostNQN": host, "readOnly": read_only}
    )


def _detach(c, uid, host=HOST):
    r = c("POST", f"/_emulator/volumes/{uid}/detach", json={"hostNQN": host})
    assert r.status_code == 200, r.text


def _write(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def _digest(path, size):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read(size)).hexdigest()


def test_volume_is_a_sparse_file_of_its_size_and_acl_guards_attach(state):
    with run_emulator(memory=False, state_dir=state) as emu:
        c = _client(emu)
        vol = c.create_volume(name="big", size="20 gib", acl={"values": [HOST]})
        r = _attach(c, vol["UUID"], host="nqn.other")
        assert r.status_code == 403 and "ACL" in r.json()["message"]
        r = _attach(c, vol["UUID"])
        assert r.status_code == 200, r.text
        path = r.json()["path"]
        assert os.path.getsize(path) == 20 * GIB
        _write(path, 5 * GIB, b"x" * 4096)
        assert os.stat(path).st_blocks * 512 < 1024 * 1024
        _detach(c, vol["UUID"])


def test_snapshot_freezes_clone_is_thin_and_restart_keeps_data(state):
    with run_emulator(memory=False, state_dir=state) as emu:
        c = _client(emu)
        src = c.create_volume(name="src", size="1 gib", acl={"values": ["ALLOW_ANY"]})
        path = _attach(c, src["UUID"]).json()["path"]
        _write(path, 0, b"A" * 65536)
        _detach(c, src["UUID"])
        r = c("POST", SNAPS, json={"name": "s1", "sourceVolumeUUID": src["UUID"]})
        snap = r.json()
        # the clone's create copies nothing: its file is the snapshot's inode
        clone = c.create_volume(
            name="clone", size="2 gib", sourceSnapshotUUID=snap["UUID"], acl={"values": [HOST]}
        )
        data_dir = os.path.dirname(path)
        clone_file = os.path.join(data_dir, clone["UUID"] + ".img")
        assert os.stat(clone_file).st_ino == os.stat(path).st_ino
        assert c("DELETE", f"{SNAPS}/{snap['UUID']}").status_code == 200
        # the source changes after the snapshot: the clone must not see it
        src_path = _attach(c, src["UUID"]).json()["path"]
        _write(src_path, 0, b"B" * 65536)
        _detach(c, src["UUID"])
        cpath = _attach(c, clone["UUID"]).json()["path"]
        assert os.path.getsize(cpath) == 2 * GIB
        assert _digest(cpath, 65536) == hashlib.sha256(b"A" * 65536).hexdigest()
        _detach(c, clone["UUID"])
        vols = [src["UUID"], clone["UUID"]]
    with run_emulator(memory=False, state_dir=state) as emu:
        c = _client(emu)
        path = _attach(c, vols[1]).json()["path"]
        assert _digest(path, 65536) == hashlib.sha256(b"A" * 65536).hexdigest()
        _detach(c, vols[1])
        for uid in vols:
            assert c("DELETE", f"{VOLS}/{uid}").status_code == 200
        c("GET", VOLS)  # applies the due deletes
        assert not [n for n in os.listdir(os.path.dirname(path)) if n.endswith(".img")]


def test_extend_grows_the_file(state):
    with run_emulator(memory=False, state_dir=state) as emu:
        c = _client(emu)
        vol = c.create_volume(name="v", size="1 gib", acl={"values": [HOST]})
        r = c("PUT", f"{VOLS}/{vol['UUID']}", json={"size": "3 gib"})
        assert r.status_code == 200, r.text
        c("GET", VOLS)
        assert os.path.getsize(_attach(c, vol["UUID"]).json()["path"]) == 3 * GIB


def test_detach_gives_a_truncated_file_its_size_back(state):
    with run_emulator(memory=False, state_dir=state) as emu:
        c = _client(emu)
        vol = c.create_volume(name="v", size="1 gib", acl={"values": [HOST]})
        path = _attach(c, vol["UUID"]).json()["path"]
        with open(path, "wb") as f:  # what Glance's cinder store does
            f.write(b"image")
        _detach(c, vol["UUID"])
        assert os.path.getsize(path) == GIB
        with open(path, "rb") as f:
            assert f.read(5) == b"image"
