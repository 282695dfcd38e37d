"""The emulator answers as a real cluster does: one test per rule of
doc/source/reference/lightbits-api.md (cited as "facts: <point> [source]").

Where the facts say UNKNOWN or medium, the behaviour picked is the one
documented in lightbits_emulator/__init__.py ("Choices where the public
sources are silent").
"""

import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lightbits_emulator import store

from .conftest import Client, volume_body

GIB = 1024**3
VOLS = "/api/v2/projects/default/volumes"
SNAPS = "/api/v2/projects/default/snapshots"


def _bulk(emu, n, project="default"):
    """n Available volumes, made in the store directly (fast)."""
    with emu.store.lock:
        for i in range(n):
            emu.store.create_volume(project, volume_body(f"bulk-{i:05d}"))
    return sorted(v["UUID"] for v in emu.volumes(project))


# -------------------------------------------------- facts: Delete + list [P]
def test_a_list_answers_at_most_1000_and_pages_with_offset_uuid(admin):
    uids = _bulk(admin.emu, 1005)
    first = admin("GET", VOLS).json()["volumes"]
    assert len(first) == 1000  # limit default 1000
    assert len(admin("GET", f"{VOLS}?limit=5000").json()["volumes"]) == 1000  # and maximum
    second = admin("GET", f"{VOLS}?offsetUUID={first[-1]['UUID']}").json()["volumes"]
    assert [v["UUID"] for v in first + second] == uids
    assert len(admin("GET", "/api/v2/volumes").json()["volumes"]) == 1000  # flat form too


def test_a_page_boundary_survives_the_deletion_of_the_offset_volume(admin):
    uids = sorted(admin.create_volume(name=f"v{i}")["UUID"] for i in range(4))
    assert admin("DELETE", f"{VOLS}/{uids[1]}").status_code == 200
    assert admin("GET", f"{VOLS}/{uids[1]}").status_code == 404  # gone (no delete delay)
    rest = admin("GET", f"{VOLS}?limit=2&offsetUUID={uids[1]}").json()["volumes"]
    assert [v["UUID"] for v in rest] == uids[2:]


def test_deleting_volumes_are_hidden_unless_show_all(admin):
    admin.emu.set_delays(0, 5)
    gone = admin.create_volume(name="going")["UUID"]
    kept = admin.create_volume(name="kept")["UUID"]
    assert admin("DELETE", f"{VOLS}/{gone}").json() == {}
    assert [v["UUID"] for v in admin("GET", VOLS).json()["volumes"]] == [kept]
    everything = admin("GET", f"{VOLS}?showAll=true").json()["volumes"]
    assert {v["UUID"]: v["state"] for v in everything} == {gone: "Deleting", kept: "Available"}
    assert admin("GET", f"{VOLS}/{gone}").json()["state"] == "Deleting"  # GET until gone


def test_a_name_is_free_again_once_its_volume_is_deleting(admin):
    admin.emu.set_delays(0, 5)
    old = admin.create_volume(name="again")["UUID"]
    admin("DELETE", f"{VOLS}/{old}")
    new = admin("POST", VOLS, json=volume_body("again"))
    assert new.status_code == 200 and new.json()["UUID"] != old
    assert admin("GET", f"{VOLS}/?name=again").json()["UUID"] == new.json()["UUID"]


# ------------------------------------------------ facts: Lookup by name [CD, P, GW]
def test_name_without_slash_is_a_filtered_list_with_slash_a_get(admin):
    uid = admin.create_volume(name="wanted")["UUID"]
    admin.create_volume(name="other")
    listed = admin("GET", f"{VOLS}?name=wanted")
    assert listed.status_code == 200
    assert [v["UUID"] for v in listed.json()["volumes"]] == [uid]
    none = admin("GET", f"{VOLS}?name=nobody")
    assert none.status_code == 200 and none.json() == {}
    one = admin("GET", f"{VOLS}/?name=wanted")
    assert one.json()["UUID"] == uid and "volumes" not in one.json()
    assert admin("GET", f"{VOLS}/?name=nobody").status_code == 404


def test_snapshots_are_got_by_capital_name_only(admin):
    admin.create_volume(name="src")
    snap = admin("POST", SNAPS, json={"name": "s1", "sourceVolumeName": "src"}).json()
    assert admin("GET", f"{SNAPS}/?Name=s1").json()["UUID"] == snap["UUID"]
    # a lower-case "name" is an unknown, ignored parameter: no UUID, no Name
    assert admin("GET", f"{SNAPS}/?name=s1").status_code == 400


# ---------------------------------------------------------- facts: Routes [P]
def test_snapshots_have_only_the_project_scoped_routes(admin):
    assert admin("GET", "/api/v2/snapshots?projectName=default").status_code == 404
    assert admin("GET", f"/api/v2/snapshots/{uuid.uuid4()}").status_code == 404
    assert admin("GET", SNAPS).status_code == 200


def test_version_and_projects_routes(admin):
    # facts, Added 2026-12: the version's field as in the proto (OrigName)
    assert admin("GET", "/api/v2/version").json() == {"apiVersion": store.VERSION}
    assert admin("POST", "/api/v2/projects", json={"name": "tenant-x"}).status_code == 200
    assert admin("POST", "/api/v2/projects", json={"name": "tenant-x"}).status_code == 409
    admin.create_volume("tenant-x", "v")
    names = [p["name"] for p in admin("GET", "/api/v2/projects").json()["projects"]]
    assert "tenant-x" in names and "default" in names
    assert admin("GET", "/api/v2/projects/tenant-x").json()["name"] == "tenant-x"
    assert admin("GET", "/api/v2/projects/never-used").status_code == 404
    tenant = Client(admin.emu, admin.emu.mint_jwt("tenant-x"))
    assert [p["name"] for p in tenant("GET", "/api/v2/projects").json()["projects"]] == [
        "tenant-x"
    ]
    assert tenant("POST", "/api/v2/projects", json={"name": "mine"}).status_code == 403


def test_a_volume_in_a_project_never_created_is_refused_also_to_a_cluster_admin(admin):
    # facts, Added 2026-12: projects are created explicitly, never by a volume create
    for path in ("/api/v2/projects/never-made/volumes", "/api/v2/volumes"):
        r = admin("POST", path, json=volume_body("v", projectName="never-made"))
        assert r.status_code == 404, r.text
    names = [p["name"] for p in admin("GET", "/api/v2/projects").json()["projects"]]
    assert "never-made" not in names
    assert admin.emu.volumes() == []


# ---------------------------------------- facts: Update / Delete refusals [P]
def test_update_and_delete_answer_503_while_creating_or_updating(admin):
    admin.emu.set_delays(0.4, 0.4)
    uid = admin.create_volume()["UUID"]
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}).status_code == 503
    assert admin("DELETE", f"{VOLS}/{uid}").status_code == 503
    time.sleep(0.45)
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}).status_code == 200
    assert admin("GET", f"{VOLS}/{uid}").json()["state"] == "Updating"
    assert admin("DELETE", f"{VOLS}/{uid}").status_code == 503
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "3 gib"}).status_code == 503


def test_delete_of_a_creating_snapshot_is_503(admin):
    admin.create_volume(name="src")
    admin.emu.set_delays(0.5, 0.5)
    snap = admin("POST", SNAPS, json={"name": "s", "sourceVolumeName": "src"}).json()
    assert admin("DELETE", f"{SNAPS}/{snap['UUID']}").status_code == 503


def test_delete_or_update_of_a_deleting_volume_is_400(admin):
    admin.emu.set_delays(0, 5)
    uid = admin.create_volume()["UUID"]
    assert admin("DELETE", f"{VOLS}/{uid}").status_code == 200
    assert admin("DELETE", f"{VOLS}/{uid}").status_code == 400
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}).status_code == 400


def test_a_failed_volume_refuses_updates_and_deletes_and_goes_by_itself(admin):
    # facts, Added 2026-12: DELETE of a Failed volume is 400, as for Deleting;
    # how it goes is not said: here the cluster removes it (FAILED_LINGER).
    admin.emu.inject_fault("fail_create", name="^f", times=1)
    uid = admin.create_volume(name="f1")["UUID"]
    assert admin("GET", f"{VOLS}/{uid}").json()["state"] == "Failed"
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}).status_code == 400
    assert admin("DELETE", f"{VOLS}/{uid}").status_code == 400
    assert admin("GET", f"{VOLS}/{uid}").json()["state"] == "Failed"
    deadline = time.monotonic() + store.FAILED_LINGER + 2
    while admin("GET", f"{VOLS}/{uid}").status_code != 404:
        assert time.monotonic() < deadline, "the Failed volume stayed"
        time.sleep(0.1)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", f"{VOLS}/not-a-uuid"),
        ("DELETE", f"{VOLS}/not-a-uuid"),
        ("PUT", f"{VOLS}/not-a-uuid"),
        ("DELETE", f"{SNAPS}/1234"),
        ("GET", "/api/v2/volumes/zzz"),
        ("GET", f"{VOLS}?offsetUUID=zzz"),
    ],
)
def test_a_malformed_uuid_is_400(admin, method, path):
    assert admin(method, path, json={"size": "2 gib"}).status_code == 400


# -------------------------------------------- facts: Snapshots / clones [P]
def test_a_snapshot_given_a_source_uuid_and_another_name_is_of_the_uuid(admin):
    # facts, Added 2026-12: the UUID wins; sourceVolumeName is that volume's name
    by_uuid = admin.create_volume(name="by-uuid")
    admin.create_volume(name="by-name")
    body = {"name": "s", "sourceVolumeUUID": by_uuid["UUID"], "sourceVolumeName": "by-name"}
    r = admin("POST", SNAPS, json=body)
    assert r.status_code == 200, r.text
    snap = r.json()
    assert (snap["sourceVolumeUUID"], snap["sourceVolumeName"]) == (by_uuid["UUID"], "by-uuid")


def test_snapshot_of_an_unknown_volume_is_404_and_compression_is_a_bool(admin):
    r = admin("POST", SNAPS, json={"name": "s", "sourceVolumeName": "nobody"})
    assert r.status_code == 404
    admin.create_volume(name="src", compression="enabled")
    snap = admin("POST", SNAPS, json={"name": "s", "sourceVolumeName": "src"}).json()
    assert snap["compression"] is True
    assert isinstance(snap["size"], str)


# ------------------------------------------------- facts: Create volume [P, CD, PVE, CSI]
@pytest.mark.parametrize(
    "size, expected",
    [("10 gib", 10 * GIB), (str(4096 * 3), 4096 * 3), (f"{GIB}b", GIB), ("2 GiB", 2 * GIB)],
)
def test_size_strings_clients_send(admin, size, expected):
    assert admin.create_volume(size=size)["size"] == str(expected)


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"size": GIB}, "invalid size"),  # a JSON number: size is a string
        ({"size": "4097"}, "multiple of 4096"),
        ({"size": "2GB"}, "multiple of 4096"),  # decimal units are not aligned
        ({"size": str(2**64)}, "out of range"),
        ({"size": "-4096"}, "invalid size"),
        ({"acl": None}, "acl is required"),
        # facts, Added 2026-12: an empty ACL list is invalid ("no host" is ALLOW_NONE)
        ({"acl": {"values": []}}, "empty list"),
        ({"IPAcl": {"values": []}}, "empty list"),
        ({"replicaCount": None}, "replicaCount is required"),
        ({"replicaCount": 0}, "replicaCount"),
        ({"replicaCount": "4"}, "replicaCount"),
        ({"replicaCount": True}, "replicaCount"),
        ({"IPAcl": {"values": ["10.0.0.300"]}}, "IP address"),
        ({"IPAcl": {"values": ["host-a"]}}, "IP address"),
        ({"name": "with:colon"}, "name"),
        ({"name": "x" * 254}, "name"),
        ({"compression": "yes"}, "compression"),
        ({"compression": True}, "compression"),
        ({"labels": [{"key": f"k{i}", "value": "v"} for i in range(17)]}, "16 labels"),
        ({"labels": {"k": "v"}}, "labels"),
    ],
)
def test_create_refuses_what_a_cluster_refuses(admin, changes, fragment):
    r = admin("POST", VOLS, json={**volume_body("v"), **changes})
    assert r.status_code == 400, r.text
    assert fragment in r.json()["message"]


@pytest.mark.parametrize("replicas", [1, "2", 3])
def test_replica_count_as_number_or_numeric_string(admin, replicas):
    assert admin.create_volume(replicaCount=replicas)["replicaCount"] == int(replicas)


@pytest.mark.parametrize(
    "value, stored",
    [
        ("true", "true"),
        ("enable", "true"),
        ("Enabled", "true"),
        ("True", "true"),
        ("false", "false"),
        ("disable", "false"),
        ("disabled", "false"),
    ],
)
def test_compression_values(admin, value, stored):
    assert admin.create_volume(compression=value)["compression"] == stored


def test_names_labels_and_ip_acl_accepted(admin):
    labels = [{"key": f"k{i}", "value": str(i)} for i in range(16)]
    vol = admin.create_volume(
        name="a-b_c.d" + "x" * 246, labels=labels, IPAcl={"values": ["10.0.0.1", "fd00::/64"]}
    )
    assert len(vol["name"]) == 253 and vol["labels"] == labels
    assert vol["IPAcl"] == {"values": ["10.0.0.1", "fd00::/64"]}
    assert admin("GET", f"{VOLS}/{vol['UUID']}").json()["labels"] == labels


# ---------------------------------------------------- facts: Update volume [P, CSI, PVE]
def test_update_accepts_every_documented_field_and_answers_empty(admin):
    uid = admin.create_volume(name="before", size="4 gib")["UUID"]
    body = {
        "projectName": "default",
        "compression": "enabled",
        "labels": [{"key": "tier", "value": "gold"}],
        "newName": "after",
        "size": "2 gib",
        "Force": True,
        "unknownField": 1,
    }
    r = admin("PUT", f"{VOLS}/{uid}", json=body)
    assert r.status_code == 200 and r.json() == {}
    vol = admin("GET", f"{VOLS}/{uid}").json()
    assert vol["name"] == "after" and vol["compression"] == "true"
    assert vol["labels"] == [{"key": "tier", "value": "gold"}] and vol["size"] == str(2 * GIB)
    assert admin("GET", f"{VOLS}/?name=after").json()["UUID"] == uid
    assert admin("GET", f"{VOLS}/?name=before").status_code == 404
    # Proxmox's flat PUT: {size: '<bytes>', projectName}
    flat = admin(
        "PUT", f"/api/v2/volumes/{uid}", json={"size": str(3 * GIB), "projectName": "default"}
    )
    assert flat.status_code == 200 and flat.json() == {}


@pytest.mark.parametrize(
    "body",
    [
        {"acl": "nqn.host"},
        {"acl": {"values": []}},  # facts, Added 2026-12
        {"IPAcl": {"values": ["not-an-ip"]}},
        {"compression": "maybe"},
        {"labels": "k=v"},
        {"size": 4 * GIB},
        {"newName": "bad name"},
    ],
)
def test_update_validates_what_it_changes(admin, body):
    uid = admin.create_volume()["UUID"]
    r = admin("PUT", f"{VOLS}/{uid}", json=body)
    assert r.status_code == 400, r.text


def test_update_with_a_null_acl_changes_nothing_there(admin):
    uid = admin.create_volume(acl={"values": ["nqn.h1"]})["UUID"]
    r = admin("PUT", f"{VOLS}/{uid}", json={"acl": {"values": None}, "IPAcl": {"values": None}})
    assert r.status_code == 200
    assert admin("GET", f"{VOLS}/{uid}").json()["acl"] == {"values": ["nqn.h1"]}


def test_shrink_without_force_is_400(admin):
    uid = admin.create_volume(size="4 gib")["UUID"]
    assert admin("PUT", f"{VOLS}/{uid}", json={"size": "2 gib"}).status_code == 400


# ----------------------------------------------------- facts: Volume object [P]
def test_protection_state_is_unknown_while_creating(admin):
    admin.emu.set_delays(0.3, 0.3)
    vol = admin.create_volume()
    assert vol["state"] == "Creating" and vol["protectionState"] == "Unknown"
    time.sleep(0.35)
    assert admin("GET", f"{VOLS}/{vol['UUID']}").json()["protectionState"] == "FullyProtected"


# ------------------------------------------------- facts: Cluster / nodes [P]
def test_clusterinfo_and_cluster_shapes(admin):
    info = admin("GET", "/api/v2/clusterinfo").json()
    assert info["nvmeEndpoints"] and info["ETag"] and info["subsystemNQN"]
    for cluster_only in ("health", "statistics", "minVersionInCluster"):
        assert cluster_only not in info
    full = admin("GET", "/api/v2/cluster").json()
    assert full["health"]["state"] == "OK" and full["minVersionInCluster"]
    assert isinstance(full["statistics"]["estimatedFreeLogicalStorage"], str)


def test_one_node_down_is_a_warning_even_for_a_volume_it_held_alone(admin):
    # facts, Added 2026-12: one node Inactive (volumes Degraded, still served)
    # is Warning; Error is for a cluster that cannot serve.
    three = admin.create_volume(name="r3", replicaCount=3)
    one = admin.create_volume(name="r1", replicaCount=1)
    admin.emu.node_down(one["nodeList"][0])
    health = admin("GET", "/api/v2/cluster").json()["health"]
    assert health["state"] == "Warning"
    assert (health["numInactiveNodes"], health["numDegradedVolumes"]) == (1, 1)
    assert admin("GET", f"{VOLS}/{three['UUID']}").json()["protectionState"] == "Degraded"


def test_node_shape_and_health_states(admin):
    nodes = admin("GET", "/api/v2/nodes").json()["nodes"]
    for node in nodes:
        assert isinstance(node["localRebuildProgress"], int)
        assert node["inLocalRebuild"] is False and node["ETag"]
    one = admin.create_volume(name="r1", replicaCount=1)
    spare = next(n["UUID"] for n in nodes if n["UUID"] not in one["nodeList"])
    admin.emu.node_down(spare)
    assert admin("GET", "/api/v2/cluster").json()["health"]["state"] == "Warning"
    admin.emu.node_down(one["nodeList"][0])
    assert admin("GET", "/api/v2/cluster").json()["health"]["state"] == "Error"


# ---------------------------------------------------------------- facts: Auth [DOC]
def test_rsa_signed_jwts_of_a_registered_credential_are_accepted(admin):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    now = int(time.time())
    claims = {"iss": "system:root", "sub": "ops", "aud": "LightOS", "iat": now, "exp": now + 60}
    token = jwt.encode(
        {**claims, "roles": ["default:admin"]},
        private,
        algorithm="RS256",
        headers={"kid": "system:ops-key"},
    )
    assert admin("GET", VOLS, token=token).status_code == 401  # not registered yet
    r = admin(
        "POST", "/_emulator/credentials", json={"id": "system:ops-key", "pem": public.decode()}
    )
    assert r.status_code == 200 and r.json()["credentials"] == ["system:ops-key"]
    assert admin("GET", VOLS, token=token).status_code == 200
    assert admin("GET", "/api/v2/projects/other/volumes", token=token).status_code == 403
    other = jwt.encode(
        {**claims, "roles": ["system:cluster-admin"]},
        private,
        algorithm="RS256",
        headers={"kid": "unknown-key"},
    )
    assert admin("GET", VOLS, token=other).status_code == 401


# ------------------- snapshots and clones where the facts are silent (issue 25)
def test_a_clone_from_a_snapshot_has_the_size_asked_never_less_than_the_snapshot(admin):
    # facts, Snapshots / clones: silent on sizes. Cinder's LightOS driver sends
    # the new volume's own size ('N gib', _create_new_lightos_volume) and never
    # extends after a create from snapshot: a larger clone is made as asked.
    src = admin.create_volume(name="src", size="2 gib")
    admin.emu.write(src["UUID"], GIB)
    admin("POST", SNAPS, json={"name": "s", "sourceVolumeUUID": src["UUID"]})
    big = admin.create_volume(name="big", size="5 gib", sourceSnapshotName="s")
    assert big["size"] == str(5 * GIB) and big["sourceSnapshotName"] == "s"
    assert big["statistics"]["logicalUsedStorage"] == str(GIB)  # thin: the snapshot's data
    small = admin(
        "POST",
        VOLS,
        json={
            "name": "small",
            "size": "1 gib",
            "replicaCount": 3,
            "acl": {"values": ["ALLOW_NONE"]},
            "sourceSnapshotName": "s",
        },
    )
    assert small.status_code == 400


def test_deleting_a_volume_that_has_snapshots_keeps_the_snapshots_usable(admin):
    # facts, Snapshots / clones: "Deleting a volume that has snapshots ...
    # UNKNOWN". Cinder itself refuses to delete a volume with snapshots (its
    # cascade deletes the snapshots first), so the driver never asks; the
    # emulator allows it and keeps each snapshot Available and clonable.
    admin.emu.set_delays(0, 0)
    src = admin.create_volume(name="src")
    snap = admin("POST", SNAPS, json={"name": "s", "sourceVolumeUUID": src["UUID"]}).json()
    assert admin("DELETE", f"{VOLS}/{src['UUID']}").status_code == 200
    time.sleep(0.05)
    assert admin("GET", f"{VOLS}/{src['UUID']}").status_code == 404
    kept = admin("GET", f"{SNAPS}/{snap['UUID']}").json()
    assert kept["state"] == "Available" and kept["sourceVolumeUUID"] == src["UUID"]
    assert (
        admin.create_volume(name="clone", sourceSnapshotUUID=snap["UUID"])["sourceSnapshotName"]
        == "s"
    )


def test_a_clone_from_a_snapshot_of_another_project_is_refused(admin):
    # facts, Routes: snapshots have only the project form. A volume is looked
    # up with its source snapshot in its own project: Cinder's LightOS driver,
    # given a type of another lightos:project_name, creates the volume there
    # (create_volume_from_snapshot) and gets an error: the volume is not made.
    assert admin("POST", "/api/v2/projects", json={"name": "p2"}).status_code == 200
    admin.create_volume(name="src")
    admin("POST", SNAPS, json={"name": "s", "sourceVolumeName": "src"})
    r = admin(
        "POST",
        "/api/v2/projects/p2/volumes",
        json={
            "name": "c",
            "size": "1 gib",
            "replicaCount": 3,
            "acl": {"values": ["ALLOW_NONE"]},
            "sourceSnapshotName": "s",
        },
    )
    assert r.status_code == 400 and "snapshot not found" in r.text
