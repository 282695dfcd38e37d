"""A small bootable-looking disk image, made locally (no download), and its qcow2.

The raw image is an MBR disk: a boot sector with the 0x55AA signature, one
Linux partition from sector 2048, and some pseudo-random "file system" data
at a few places, holes elsewhere. ``qemu-img convert -O qcow2`` makes the
qcow2 one: the same virtual disk, so a volume made from either holds the
same bytes.
"""

import os
import random
import struct
import subprocess

MiB = 1024 * 1024
SECTOR = 512


def _noise(seed, size):
    """Incompressible, reproducible bytes (qcow2 cannot shrink them)."""
    return random.Random(seed).randbytes(size)


def _mbr(total_sectors):
    boot = bytearray(SECTOR)
    boot[:16] = b"\xfa\x31\xc0\x8e\xd8devcloud"  # cli; xor ax,ax; mov ds,ax; tag
    first = 2048
    entry = struct.pack(
        "<B3sB3sII", 0x80, b"\x00\x21\x00", 0x83, b"\xfe\xff\xff", first, total_sectors - first
    )
    boot[446 : 446 + 16] = entry
    boot[510:512] = b"\x55\xaa"
    return bytes(boot)


def write_raw(path, size_mib=16, data_mib=4, seed="devcloud"):
    """A raw disk of ``size_mib`` with about ``data_mib`` written (sparse file)."""
    size = size_mib * MiB
    with open(path, "wb") as f:
        f.truncate(size)
        f.write(_mbr(size // SECTOR))
        # data in a few extents, holes between them
        extents = max(1, min(8, data_mib))
        chunk = data_mib * MiB // extents
        stride = (size - MiB) // extents
        for i in range(extents):
            f.seek(MiB + i * stride)
            for done in range(0, chunk, MiB):
                f.write(_noise(f"{seed}:{i}:{done}", min(MiB, chunk - done)))
    return path


def to_qcow2(raw_path, qcow2_path):
    subprocess.run(
        ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw_path, qcow2_path],
        check=True,
        capture_output=True,
    )
    return qcow2_path


def make(directory, size_mib=16, data_mib=4, seed="devcloud"):
    """(raw path, qcow2 path) of the seed's disk, made once per directory."""
    os.makedirs(directory, exist_ok=True)
    stem = os.path.join(directory, f"disk-{size_mib}m-{data_mib}m-{seed}")
    raw, qcow2 = stem + ".raw", stem + ".qcow2"
    if not os.path.exists(raw):
        write_raw(raw + ".tmp", size_mib, data_mib, seed)
        os.replace(raw + ".tmp", raw)
    if not os.path.exists(qcow2):
        to_qcow2(raw, qcow2 + ".tmp")
        os.replace(qcow2 + ".tmp", qcow2)
    return raw, qcow2
