"""A small lbcli: the real tool's tables, read from a running emulator."""

import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from urllib.parse import quote

from .server import ADMIN_JWT_FILE

VOLUME_COLUMNS = [
    ("Name", "name"),
    ("UUID", "UUID"),
    ("State", "state"),
    ("Protection State", "protectionState"),
    ("NSID", "nsid"),
    ("Size", "size"),
    ("Replicas", "replicaCount"),
    ("Compression", "compression"),
    ("ACL", "acl"),
    ("Rebuild Progress", "rebuildProgress"),
]
SNAPSHOT_COLUMNS = [
    ("Name", "name"),
    ("UUID", "UUID"),
    ("Source volume UUID", "sourceVolumeUUID"),
    ("State", "state"),
    ("Creation Time", "creationTime"),
    ("Size", "size"),
    ("Replicas", "replicaCount"),
]
CLUSTER_COLUMNS = [
    ("UUID", "UUID"),
    ("Subsystem NQN", "subsystemNQN"),
    ("Current max replicas", "currentMaxReplicas"),
    ("Supported max replicas", "supportedMaxReplicas"),
    ("MinVersionInCluster", "minVersionInCluster"),
    ("API Endpoints", "apiEndpoints"),
]


def human_size(value):
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:g} {unit}"
        size /= 1024


def cell(key, value):
    if key == "size":
        return human_size(value)
    if key == "acl":
        return "values:" + ",".join(value.get("values", []))
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def table(columns, rows):
    lines = [[title for title, _ in columns]]
    lines += [[cell(key, row.get(key, "")) for _, key in columns] for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def fetch(state_dir, host, port, path):
    with open(os.path.join(state_dir, ADMIN_JWT_FILE)) as f:
        token = f.read().strip()
    ctx = ssl.create_default_context(cafile=os.path.join(state_dir, "ca.pem"))
    req = urllib.request.Request(
        f"https://{host}:{port}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:  # noqa: S310
        return json.load(resp)


def fetch_all(args, path, key):
    """Every page of a list ([P] at most 1000 per call, offsetUUID paging)."""
    items, offset = [], ""
    sep = "&" if "?" in path else "?"
    while True:
        page = fetch(args.state_dir, args.host, args.port, f"{path}{sep}offsetUUID={offset}")
        batch = page.get(key) or []
        items += batch
        if len(batch) < 1000:
            return items
        offset = quote(batch[-1]["UUID"])


def run(args):
    try:
        if args.what == "cluster-info":
            info = fetch(args.state_dir, args.host, args.port, "/api/v2/cluster")
            print(table(CLUSTER_COLUMNS, [info]))
            return 0
        if args.what == "volumes":
            path = "/api/v2/volumes"
            if args.project:
                path += "?projectName=" + quote(args.project)
            rows = fetch_all(args, path, "volumes")
        else:  # [P] snapshots have only the project-scoped routes
            projects = (
                [args.project]
                if args.project
                else [
                    p["name"]
                    for p in fetch(args.state_dir, args.host, args.port, "/api/v2/projects")[
                        "projects"
                    ]
                ]
            )
            rows = []
            for project in projects:
                rows += fetch_all(
                    args, f"/api/v2/projects/{quote(project)}/snapshots", "snapshots"
                )
    except (OSError, urllib.error.URLError) as exc:
        print(f"lbcli: cannot reach the emulator: {exc}", file=sys.stderr)
        return 1
    columns = VOLUME_COLUMNS if args.what == "volumes" else SNAPSHOT_COLUMNS
    print(table(columns, rows))
    return 0
