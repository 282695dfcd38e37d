"""The emulator's own rules, through its HTTPS API."""

import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lightbits_emulator import cli
from lightbits_emulator.testing import run_emulator

from .conftest import Client, volume_body

GIB = 1024**3
VOLS = "/api/v2/projects/default/volumes"
SNAPS = "/api/v2/projects/default/snapshots"


# -------------------------------------------------------------------- auth
def _foreign_token():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    now = int(time.time())
    claims = {
        "iss": "lightbits-emulator",
        "iat": now,
        "exp": now + 60,
        "roles": ["system:cluster-admin"],
    }
    return jwt.encode(claims, pem, algorithm="ES256")


@pytest.mark.parametrize(
    "token, message",
    [
        ("", "missing bearer token"),
        ("not-a-jwt", "invalid token"),
        ("FOREIGN", "invalid token"),
        ("EXPIRED", "token expired"),
    ],
)
def test_bad_tokens_get_401(admin, token, message):
    if token == "FOREIGN":
        token = _foreign_token()
    elif token == "EXPIRED":
        token = admin.emu.mint_jwt(ttl=-30)
    r = (
        admin("GET", "/api/v2/clusterinfo", token=token)
        if token
        else requests.get(
            admin.emu.base_url + "/api/v2/clusterinfo", verify=admin.emu.ca_file, timeout=10
        )
    )
    assert r.status_code == 401
    assert r.json()["message"] == message
    assert token not in r.text or not token


def test_project_scope(admin):
    admin.emu.create_project("tenant-a")
    admin.emu.create_project("tenant-b")
    a = Client(admin.emu, admin.emu.mint_jwt("tenant-a"))
    assert a("POST", "/api/v2/projects/tenant-a/volumes", json=volume_body("x")).ok
    admin.create_volume("tenant-b", "y")
    assert a("GET", "/api/v2/projects/tenant-b/volumes").status_code == 403
    assert a("GET", "/api/v2/volumes?projectName=tenant-b").status_code == 403
    r = a("POST", "/api/v2/projects/tenant-b/volumes", json=volume_body("z"))
    assert r.status_code == 403
    # [P] ListVolumes requires projectName unless cluster-admin
    assert a("GET", "/api/v2/volumes").status_code == 400
    assert [
        v["name"] for v in a("GET", "/api/v2/volumes?projectName=tenant-a").json()["volumes"]
    ] == ["x"]
    # [P] CreateVolume requires projectName (the flat route has none in its path)
    assert admin("POST", "/api/v2/volumes", json=volume_body("flat")).status_code == 400
    flat = admin("POST", "/api/v2/volumes", json=volume_body("flat", projectName="tenant-a"))
    assert flat.status_code == 200 and flat.json()["projectName"] == "tenant-a"
    a("DELETE", f"/api/v2/volumes/{flat.json()['UUID']}?projectName=tenant-a")
    # a cluster admin sees every project
    names = {v["name"] for v in admin("GET", "/api/v2/volumes").json()["volumes"]}
    assert names == {"x", "y"}
    # cluster-wide endpoints
    assert a("GET", "/api/v2/nodes").ok and a("GET", "/api/v2/clusterinfo").ok
    assert a("GET", "/api/v2/cluster").status_code == 403
    assert a("POST", "/_emulator/faults", json={"kind": "drop"}).status_code == 403


# ------------------------------------------------------ shapes and routes
@pytest.mark.parametrize(
    "size, expected",
    [
        ("1 gib", GIB),
        ("3 GiB", 3 * GIB),
        (str(5 * GIB), 5 * GIB),
        (f"{GIB}b", GIB),
        ("4 mib", 4 << 20),
    ],
)
def test_sizes(admin, size, expected):
    vol = admin.create_volume(size=size)
    assert vol["size"] == str(expected)


def test_volume_shape(admin):
    vol = admin.create_volume(acl={"values": ["ALLOW_NONE"]}, compression="True")
    for key in (
        "UUID",
        "name",
        "projectName",
        "state",
        "protectionState",
        "replicaCount",
        "nodeList",
        "nsid",
        "size",
        "compression",
        "acl",
        "IPAcl",
        "connectedHosts",
        "rebuildProgress",
        "ETag",
        "sourceSnapshotUUID",
        "sourceSnapshotName",
    ):
        assert key in vol
    assert vol["state"] == "Creating" and vol["compression"] == "true"
    assert isinstance(vol["nsid"], int) and isinstance(vol["size"], str)
    assert vol["IPAcl"] == {"values": ["ALLOW_ANY"]}


def test_both_route_forms_trailing_question_mark_and_get_by_name(admin):
    vol = admin.create_volume(name="v1")
    uid = vol["UUID"]
    assert admin("GET", f"{VOLS}/{uid}").json()["UUID"] == uid
    assert admin("GET", f"/api/v2/volumes/{uid}?projectName=default").json()["UUID"] == uid
    flat = admin("GET", "/api/v2/volumes?projectName=default").json()["volumes"]
    assert [v["UUID"] for v in flat] == [uid]
    one = admin("GET", f"{VOLS}/?name=v1")
    assert one.status_code == 200 and one.json()["UUID"] == uid  # one object, not a list
    assert one.headers["ETag"] == one.json()["ETag"]
    assert admin("GET", f"{VOLS}/?name=nope").status_code == 404
    assert admin("DELETE", f"{VOLS}/{uid}?").status_code == 200


def test_snapshots_by_capital_name(admin):
    vol = admin.create_volume(name="src")
    r = admin("POST", SNAPS, json={"name": "s1", "sourceVolumeName": "src"})
    assert r.status_code == 200, r.text
    snap = r.json()
    assert snap["sourceVolumeUUID"] == vol["UUID"] and snap["size"] == vol["size"]
    got = admin("GET", f"{SNAPS}/?Name=s1").json()
    assert got["UUID"] == snap["UUID"]
    assert admin("GET", f"{SNAPS}/?Name=other").status_code == 404
    assert admin("GET", SNAPS).json()["snapshots"][0]["name"] == "s1"


# ---------------------------------------------------------- error answers
def test_duplicate_name_409(admin):
    admin.create_volume(name="dup")
    r = admin("POST", VOLS, json=volume_body("dup"))
    assert r.status_code == 409 and "already exists" in r.json()["message"]


def test_unknown_ids_404(admin):
    assert admin("GET", f"{VOLS}/00000000-0000-0000-0000-000000000000").status_code == 404
    assert admin("DELETE", f"{SNAPS}/00000000-0000-0000-0000-000000000000").status_code == 404
    assert admin("GET", "/api/v2/nodes/nope").status_code == 404
    assert admin("GET", "/api/v2/nothing-here").status_code == 404


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"{not json", "malformed JSON"),
        (b"[1, 2]", "must be an object"),
        ({"name": None}, "name is required"),
        ({"size": None}, "size is required"),
        ({"size": "ten gib"}, "invalid size"),
        ({"size": "0"}, "positive"),
        ({"replicaCount": 4}, "replicaCount"),
        ({"compression": "maybe"}, "compression"),
        ({"acl": {"values": "h"}}, "acl.values"),
        ({"acl": {"values": ["ALLOW_ANY", "h"]}}, "combined"),
        ({"sourceSnapshotName": "none"}, "snapshot not found"),
        ({"name": "bad name!"}, "name is required"),
    ],
)
def test_malformed_create_400(admin, body, fragment):
    data = body if isinstance(body, bytes) else json.dumps({**volume_body("a"), **body}).encode()
    r = admin("POST", VOLS, data=data, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert fragment in r.json()["message"]


def test_update_rules(admin):
    uid = admin.create_volume(size="2 gib")["UUID"]
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "1 gib"}).status_code == 400  # shrink
    # [GW] path parameters overwrite body fields; unknown fields are ignored
    r = admin("PUT", f"{VOLS}/{uid}", json={"UUID": "other", "size": "3 gib", "colour": "red"})
    assert r.status_code == 200 and r.json() == {}
    assert admin("GET", f"{VOLS}/{uid}").json()["size"] == str(3 * GIB)


# ------------------------------------------------------------ ETag and 412
def test_etag_changes_and_if_match_is_enforced(admin):
    uid = admin.create_volume()["UUID"]
    first = admin("GET", f"{VOLS}/{uid}").json()
    r = admin(
        "PUT",
        f"{VOLS}/{uid}",
        json={"acl": {"values": ["nqn.host-1"]}},
        headers={"If-Match": first["ETag"]},
    )
    assert r.status_code == 200 and r.json() == {}
    assert admin("GET", f"{VOLS}/{uid}").json()["ETag"] != first["ETag"]
    stale = admin(
        "PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}, headers={"If-Match": first["ETag"]}
    )
    # [CSI] FailedPrecondition on an ETag mismatch; [GW] maps it to 400, not 412
    assert stale.status_code == 400
    current = admin("GET", f"{VOLS}/{uid}").json()
    assert current["size"] == str(GIB) and current["acl"]["values"] == ["nqn.host-1"]
    assert current["connectedHosts"] == ["nqn.host-1"]
    ok = admin(
        "PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}, headers={"If-Match": current["ETag"]}
    )
    assert ok.status_code == 200
    assert admin("GET", f"{VOLS}/{uid}").json()["size"] == str(2 * GIB)
    hosts = admin("GET", "/api/v2/connectedHosts").json()["connectedHosts"]
    assert hosts == [{"hostNQN": "nqn.host-1", "volumes": [uid], "connectionsCount": 1}]


# ------------------------------------------------------------------ states
def test_async_states(admin):
    admin.emu.set_delays(0.3, 0.3)
    vol = admin.create_volume()
    uid = vol["UUID"]
    assert vol["state"] == "Creating"
    assert admin("GET", f"{VOLS}/{uid}").json()["state"] == "Creating"
    # [P] UpdateVolume: 503 while the volume is still being created
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}).status_code == 503
    time.sleep(0.35)
    assert admin("GET", f"{VOLS}/{uid}").json()["state"] == "Available"
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}).json() == {}
    assert admin("GET", f"{VOLS}/{uid}").json()["state"] == "Updating"
    time.sleep(0.2)
    assert admin("GET", f"{VOLS}/{uid}").json()["state"] == "Available"
    assert admin("DELETE", f"{VOLS}/{uid}").status_code == 200
    assert admin("GET", f"{VOLS}/{uid}").json()["state"] == "Deleting"
    time.sleep(0.35)
    assert admin("GET", f"{VOLS}/{uid}").status_code == 404


def test_fail_create_fault(admin):
    admin("POST", "/_emulator/faults", json={"kind": "fail_create", "name": "^bad", "times": 1})
    bad, good = admin.create_volume(name="bad-1"), admin.create_volume(name="good-1")
    assert admin("GET", f"{VOLS}/{bad['UUID']}").json()["state"] == "Failed"
    assert admin("GET", f"{VOLS}/{good['UUID']}").json()["state"] == "Available"
    again = admin.create_volume(name="bad-2")  # times=1 is used up
    assert admin("GET", f"{VOLS}/{again['UUID']}").json()["state"] == "Available"


# ---------------------------------------------------------- node failures
def test_protection_state_follows_node_health(admin):
    emu = admin.emu
    three = admin.create_volume(name="r3")
    one = admin.create_volume(name="r1", replicaCount=1)
    node = one["nodeList"][0]

    def state(vol):
        return admin("GET", f"{VOLS}/{vol['UUID']}").json()["protectionState"]

    etag = admin("GET", f"{VOLS}/{three['UUID']}").json()["ETag"]
    assert admin("POST", f"/_emulator/nodes/{node}/down").json()["state"] == "Inactive"
    assert state(three) == "Degraded" and state(one) == "NotAvailable"
    assert admin("GET", f"{VOLS}/{three['UUID']}").json()["ETag"] != etag
    health = admin("GET", "/api/v2/cluster").json()["health"]
    assert health["numDegradedVolumes"] == 1 and health["numNotAvailableVolumes"] == 1
    assert health["numInactiveNodes"] == 1
    for n in three["nodeList"]:
        emu.node_down(n)
    assert state(three) == "NotAvailable"
    for n in three["nodeList"]:
        emu.node_up(n)
    assert state(three) == "FullyProtected" and state(one) == "FullyProtected"


def test_replicas_cannot_exceed_nodes():
    with run_emulator(nodes=2) as emu:
        client = Client(emu, emu.admin_jwt)
        r = client("POST", VOLS, json=volume_body("a"))
        assert r.status_code == 400 and "exceeds" in r.json()["message"]
        assert len(client("GET", "/api/v2/nodes").json()["nodes"]) == 2


# ----------------------------------------------------- paging and filters
def test_paging_with_limit_and_offset(admin):
    # [P] limit/offsetUUID paging; the emulator pages in UUID order
    uids = sorted(admin.create_volume(name=f"p{i}")["UUID"] for i in range(5))

    def page(query):
        return [v["UUID"] for v in admin("GET", f"{VOLS}?{query}").json().get("volumes", [])]

    assert page("limit=2") == uids[:2]
    assert page(f"limit=2&offsetUUID={uids[1]}") == uids[2:4]
    assert page(f"offsetUUID={uids[3]}") == uids[4:]
    assert page(f"offsetUUID={uids[4]}") == []
    assert admin("GET", f"{VOLS}?limit=x").status_code == 400


def test_snapshot_uuid_filter_and_thin_clone_statistics(admin):
    src = admin.create_volume(name="src", size="4 gib")
    admin.emu.write(src["UUID"], GIB)
    snap = admin("POST", SNAPS, json={"name": "s", "sourceVolumeUUID": src["UUID"]}).json()
    clones = [
        admin.create_volume(name=f"c{i}", size="4 gib", sourceSnapshotUUID=snap["UUID"])
        for i in range(2)
    ]
    admin.create_volume(name="unrelated")
    r = admin("GET", f"{VOLS}?snapshotUUID={snap['UUID']}").json()["volumes"]
    assert [v["UUID"] for v in r] == sorted(c["UUID"] for c in clones)
    assert r[0]["sourceSnapshotName"] == "s"
    stats = admin("GET", "/api/v2/cluster").json()["statistics"]
    assert stats["logicalUsedStorage"] == str(3 * GIB)  # source + two thin clones
    assert stats["physicalUsedStorage"] == str(3 * GIB)  # the source's data, 3 replicas
    small = admin("POST", VOLS, json=volume_body("tiny", sourceSnapshotName="s"))
    assert small.status_code == 400


# ------------------------------------------------------------------ faults
def test_status_latency_and_drop_faults(admin):
    r = admin(
        "POST",
        "/_emulator/faults",
        json={
            "kind": "status",
            "method": "GET",
            "path": "/api/v2/nodes$",
            "status": 503,
            "times": 2,
        },
    )
    assert r.status_code == 200 and r.json()["id"]
    codes = [admin("GET", "/api/v2/nodes").status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    admin(
        "POST",
        "/_emulator/faults",
        json={"kind": "latency", "path": "clusterinfo", "seconds": 0.3},
    )
    start = time.monotonic()
    assert admin("GET", "/api/v2/clusterinfo").ok
    assert time.monotonic() - start >= 0.3
    admin("POST", "/_emulator/faults", json={"kind": "drop", "path": "/cluster$", "times": 1})
    with pytest.raises(requests.ConnectionError):
        admin("GET", "/api/v2/cluster")
    assert admin("GET", "/api/v2/cluster").ok
    assert len(admin("GET", "/_emulator/faults").json()["faults"]) == 1
    assert admin("DELETE", "/_emulator/faults").json() == {"faults": []}
    bad = admin("POST", "/_emulator/faults", json={"kind": "status", "status": 200})
    assert bad.status_code == 400


# ------------------------------------------- persistence, CLI, discovery
def test_state_survives_a_restart(tmp_path, capsys):
    with run_emulator(memory=False, state_dir=str(tmp_path)) as emu:
        client = Client(emu, emu.admin_jwt)
        uid = client.create_volume(name="kept", size="2 gib")["UUID"]
        later = client.create_volume(name="later")["UUID"]
        client("PUT", f"{VOLS}/{uid}", json={"size": "2 gib"})  # updated after "later"
        project_token = emu.mint_jwt("default")
        admin_jwt, cluster = emu.admin_jwt, client("GET", "/api/v2/clusterinfo").json()
    with run_emulator(memory=False, state_dir=str(tmp_path)) as emu:
        assert emu.admin_jwt == admin_jwt
        client = Client(emu, project_token)
        vol = client("GET", f"{VOLS}/{uid}").json()
        assert vol["name"] == "kept" and vol["state"] == "Available"
        listed = client("GET", VOLS).json()["volumes"]
        assert [v["UUID"] for v in listed] == sorted([uid, later])
        assert client("GET", "/api/v2/clusterinfo").json()["UUID"] == cluster["UUID"]
        capsys.readouterr()
        assert (
            cli.main(
                ["lbcli", "--state-dir", str(tmp_path), "--port", str(emu.port), "list", "volumes"]
            )
            == 0
        )
        out = capsys.readouterr().out.splitlines()
        assert out[0].split("  ")[0] == "Name"
        for column in (
            "UUID",
            "State",
            "Protection State",
            "NSID",
            "Size",
            "Replicas",
            "Compression",
            "ACL",
            "Rebuild Progress",
        ):
            assert column in out[0]
        kept = next(line for line in out[1:] if line.startswith("kept"))
        assert "2 GiB" in kept and "FullyProtected" in kept
        assert (
            cli.main(
                [
                    "lbcli",
                    "--state-dir",
                    str(tmp_path),
                    "--port",
                    str(emu.port),
                    "get",
                    "cluster-info",
                ]
            )
            == 0
        )
        assert cluster["UUID"] in capsys.readouterr().out


def test_token_command(tmp_path, capsys):
    with run_emulator(state_dir=str(tmp_path)) as emu:
        cli.main(["token", "--state-dir", str(tmp_path), "--project", "p9", "--ttl", "60"])
        token = capsys.readouterr().out.strip()
        client = Client(emu, token)
        assert client("GET", "/api/v2/projects/p9/volumes").json() == {}  # [GW] {} when empty
        assert client("GET", "/api/v2/projects/p8/volumes").status_code == 403


def test_discovery_probe(emu):
    base = f"http://127.0.0.1:{emu.discovery_port}"
    assert requests.head(base + "/metrics", timeout=5).status_code == 200
    assert requests.get(base + "/metrics", timeout=5).status_code == 200
    assert requests.get(base + "/other", timeout=5).status_code == 404


def test_plain_http_port_serves_the_same_api():
    with run_emulator(http_port=0) as emu:
        url = f"http://127.0.0.1:{emu.http_port}/api/v2/nodes"
        assert requests.get(url, timeout=5).status_code == 401
        r = requests.get(url, headers={"Authorization": "Bearer " + emu.admin_jwt}, timeout=5)
        assert len(r.json()["nodes"]) == 3


def test_lbcli_lists_snapshots_and_filters_by_project(tmp_path, capsys):
    with run_emulator(state_dir=str(tmp_path)) as emu:
        client = Client(emu, emu.admin_jwt)
        for project in ("p1", "p2"):
            assert client("POST", "/api/v2/projects", json={"name": project}).ok
        client.create_volume("p1", "in-p1")
        client.create_volume("p2", "in-p2")
        client(
            "POST",
            "/api/v2/projects/p1/snapshots",
            json={"name": "s", "sourceVolumeName": "in-p1"},
        )
        base = ["lbcli", "--state-dir", str(tmp_path), "--port", str(emu.port)]
        capsys.readouterr()
        assert cli.main(base + ["list", "volumes", "--project", "p2"]) == 0
        out = capsys.readouterr().out
        assert "in-p2" in out and "in-p1" not in out
        assert cli.main(base + ["list", "snapshots"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].startswith("Name") and lines[1].startswith("s ")


def test_serve_command_in_a_subprocess(tmp_path):
    import socket
    import sys

    from lightbits_emulator.testing import EmulatorProcess

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = EmulatorProcess(str(tmp_path), port=port, python=sys.executable, discovery_port=0)
    with proc:
        r = requests.get(
            proc.base_url + "/api/v2/nodes",
            headers={"Authorization": "Bearer " + proc.admin_jwt},
            verify=proc.ca_file,
            timeout=10,
        )
        assert len(r.json()["nodes"]) == 3
    assert proc.returncode == 0  # SIGTERM stops it cleanly
    assert (tmp_path / "state.sqlite").exists()


def test_bad_content_length_is_400(emu):
    import socket
    import ssl

    ctx = ssl.create_default_context(cafile=emu.ca_file)
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"POST /api/v2/nodes HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
            assert tls.recv(100).startswith(b"HTTP/1.1 400")
