"""The volumes' bytes: one sparse file per volume and per snapshot.

``DIR/data/<UUID>.img`` holds a volume's (or a snapshot's) data. The files
are sparse: a 20 GiB volume costs the disk only what was written into it.

Thin clones without block-level copy-on-write, on any filesystem:

* a snapshot of a detached volume is a hard link to the volume's file: O(1);
  the data is frozen because nothing writes into a volume's file before
  ``attach()``, and ``attach()`` first gives the volume a private copy
  whenever its file is shared (hard link count above 1);
* a snapshot of an attached volume copies its data (sparse copy: O(written)),
  since the host may write into that file at any time;
* a clone from a snapshot is a hard link to the snapshot's file: O(1), and
  deleting the snapshot afterwards (Cinder's LightOS driver does) keeps the
  clone's data;
* so the copy happens lazily, on the first read-write attach of a shared
  file (a read-only attach reads the shared file as it is).

Deleting a volume or snapshot unlinks its file (the disk is freed when the
last link goes). Files and attachments survive a restart.

Not modelled: block-level copy-on-write (a first read-write attach of a
shared volume costs one copy of its written data), compression, replication
(one file, whatever the replica count), NVMe namespaces or timing.
"""

import json
import os
import threading

from .store import ACL_MARKERS, ApiError

ATTACHMENTS = "attachments.json"


def sparse_copy(src, dst):
    """Copy ``src`` to ``dst`` keeping holes: O(written bytes)."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        size = os.fstat(fin.fileno()).st_size
        fout.truncate(size)
        offset = 0
        while offset < size:
            try:
                start = os.lseek(fin.fileno(), offset, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole is left
                break
            end = os.lseek(fin.fileno(), start, os.SEEK_HOLE)
            while start < end:
                start += os.copy_file_range(fin.fileno(), fout.fileno(), end - start, start, start)
            offset = end
        os.fsync(fout.fileno())


def allocated(path):
    """Bytes of disk a file really uses."""
    try:
        return os.stat(path).st_blocks * 512
    except FileNotFoundError:
        return 0


class VolumeData:
    def __init__(self, state_dir):
        self.dir = os.path.join(state_dir, "data")
        os.makedirs(self.dir, exist_ok=True)
        self.lock = threading.RLock()
        self._attach_file = os.path.join(self.dir, ATTACHMENTS)
        try:
            with open(self._attach_file) as f:
                self.attachments = json.load(f)  # uuid -> {host NQN: count}
        except (OSError, ValueError):
            self.attachments = {}

    def path(self, uid):
        return os.path.join(self.dir, uid + ".img")

    def _save_attachments(self):
        tmp = self._attach_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.attachments, f)
        os.replace(tmp, self._attach_file)

    # ------------------------------------------------------ store's hooks
    def create(self, uid, size, source_uid=None):
        """A new volume: an empty sparse file, or a link to its snapshot's file."""
        path = self.path(uid)
        source = self.path(source_uid) if source_uid else None
        if source and os.path.exists(source):
            os.link(source, path)  # thin clone; a larger size is applied on attach
            return
        with open(path, "wb") as f:
            f.truncate(int(size))

    def snapshot(self, vol_uid, snap_uid):
        """Freeze the volume's data now."""
        src, dst = self.path(vol_uid), self.path(snap_uid)
        if not os.path.exists(src):
            return
        with self.lock:
            if self.attachments.get(vol_uid):
                sparse_copy(src, dst)
            else:
                os.link(src, dst)

    def extend(self, uid, size):
        path = self.path(uid)
        with self.lock:
            if os.path.exists(path) and os.stat(path).st_nlink == 1:
                os.truncate(path, max(int(size), os.stat(path).st_size))
            # a shared file grows when it is made private (attach)

    def delete(self, uid):
        with self.lock:
            try:
                os.unlink(self.path(uid))
            except FileNotFoundError:
                pass
            if self.attachments.pop(uid, None) is not None:
                self._save_attachments()

    # ----------------------------------------------------- the data path
    def _materialise(self, uid, size):
        """Give the volume a private file of its full size."""
        path = self.path(uid)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.truncate(size)
            return
        if os.stat(path).st_nlink > 1:
            tmp = path + ".private"
            sparse_copy(path, tmp)
            os.replace(tmp, path)  # drops this volume's link to the shared file
        if os.stat(path).st_size < size:
            os.truncate(path, size)

    def _restore_size(self, uid, size):
        """A host may open the "device" with truncation (Glance's cinder store
        opens it "wb", qemu-img convert re-creates it): a block device keeps
        its size, so the file gets it back when the host lets go."""
        path = self.path(uid)
        if os.path.exists(path) and os.stat(path).st_nlink == 1:
            if os.stat(path).st_size < size:
                os.truncate(path, size)

    def attach(self, vol, host_nqn, read_only=False):
        """What the target does on connect: check the ACL, expose the data."""
        acl = vol["acl"]["values"]
        if host_nqn not in acl and "ALLOW_ANY" not in acl:
            raise ApiError(403, f"host {host_nqn!r} is not in the volume's ACL")
        if vol["state"] not in ("Available", "Updating"):
            raise ApiError(409, f"volume is {vol['state']}")
        uid, size = vol["UUID"], int(vol["size"])
        path = self.path(uid)
        with self.lock:
            shared = os.path.exists(path) and os.stat(path).st_nlink > 1
            short = not os.path.exists(path) or os.stat(path).st_size < size
            if not read_only or shared and short:
                self._materialise(uid, size)
            hosts = self.attachments.setdefault(uid, {})
            hosts[host_nqn] = hosts.get(host_nqn, 0) + 1
            self._save_attachments()
        return {"path": path, "size": str(size), "allocated": str(allocated(path))}

    def detach(self, vol, host_nqn):
        uid = vol["UUID"]
        with self.lock:
            hosts = self.attachments.get(uid, {})
            if hosts.get(host_nqn, 0) > 1:
                hosts[host_nqn] -= 1
            else:
                hosts.pop(host_nqn, None)
            if not hosts:
                self.attachments.pop(uid, None)
            self._save_attachments()
            self._restore_size(uid, int(vol["size"]))
        return {"path": self.path(uid), "attachedHosts": sorted(hosts)}

    def handle(self, store, uid, action, body):
        """``POST /_emulator/volumes/{UUID}/attach|detach {"hostNQN", "readOnly"}``."""
        host = body.get("hostNQN")
        if not isinstance(host, str) or not host or host in ACL_MARKERS:
            raise ApiError(400, "hostNQN is required")
        vol = store.get_volume(None, uid)
        if action == "attach":
            return self.attach(vol, host, read_only=body.get("readOnly") is True)
        return self.detach(vol, host)
