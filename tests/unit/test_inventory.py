"""The image -> image volume -> Lightbits volume chain and its findings."""

import uuid

from lightbits_dashboard import cache_view
from lightbits_dashboard import inventory as inv

SERVICE = "svc-project"
USER = "user-project"
INTERNAL = "internal-project"


def uid():
    return str(uuid.uuid4())


def image(iid=None, stores="lightbits", disk="raw", container="bare", **extra):
    data = {
        "id": iid or uid(),
        "name": "img",
        "owner": USER,
        "status": "active",
        "disk_format": disk,
        "container_format": container,
        "size": 1024,
        "stores": stores,
    }
    data.update(extra)
    return data


def volume(vid=None, name=None, project=SERVICE, vtype="lightbits", status="available", **extra):
    data = {
        "id": vid or uid(),
        "name": name or "vol",
        "status": status,
        "size": 1,
        "volume_type": vtype,
        "metadata": {},
        "volume_image_metadata": {},
        "os-vol-tenant-attr:tenant_id": project,
        "os-vol-host-attr:host": "cinder@lightbits#lightbits",
        "attachments": [],
    }
    data.update(extra)
    return data


def image_volume(img, readonly=True, project=SERVICE, **extra):
    meta = {"glance_image_id": img["id"], "image_owner": img["owner"], "image_size": "1024"}
    if readonly:
        meta["readonly"] = "True"
    return volume(name="image-" + img["id"], project=project, metadata=meta, **extra)


def lb_volume(cinder_vol, project="default", protection="FullyProtected", **extra):
    data = {
        "UUID": uid(),
        "name": "volume-" + cinder_vol["id"],
        "projectName": project,
        "state": "Available",
        "protectionState": protection,
        "replicaCount": 3,
        "size": "1073741824",
    }
    data.update(extra)
    return data


TYPES = [
    {"id": "t1", "name": "lightbits", "extra_specs": {"volume_backend_name": "lightbits"}},
    {"id": "t2", "name": "lvm", "extra_specs": {"volume_backend_name": "lvm"}},
]
STORES = [
    {"id": "lightbits", "type": "cinder", "properties": {"volume_type": "lightbits"}},
    {"id": "file", "type": "file", "properties": {}},
]


def cluster(*vols, nodes=3):
    return {
        "info": {"UUID": "c-1", "currentMaxReplicas": 3},
        "nodes": [{"name": f"n{i}", "UUID": f"u{i}", "state": "Active"} for i in range(nodes)],
        "volumes": list(vols),
    }


def build(images, volumes, lb=None, **kw):
    clusters = {"lightbits": lb if lb is not None else cluster()}
    kw.setdefault("service_projects", [SERVICE])
    return inv.build(images, volumes, TYPES, STORES, clusters, **kw)


def codes(row):
    return sorted(f.code for f in row.findings)


def test_healthy_chain_has_no_findings_and_counts_clones():
    img = image()
    ivol = image_volume(img)
    boot = volume(volume_image_metadata={"image_id": img["id"]}, project=USER)
    copied = volume(volume_image_metadata={"image_id": img["id"]}, project=USER)
    elsewhere = volume(volume_image_metadata={"image_id": img["id"]}, vtype="lvm")
    lbs = [
        lb_volume(ivol, nodeList=["u0", "u1", "unknown-node"]),
        lb_volume(boot, sourceSnapshotName="for_clone_" + boot["id"]),
        lb_volume(copied),
    ]
    result = build([img], [ivol, boot, copied, elsewhere], cluster(*lbs))
    [row] = result.image_rows
    assert row.volume["id"] == ivol["id"]
    assert row.volume_kind == inv.KIND_IMAGE_VOLUME
    assert row.store == "lightbits"
    assert row.lightbits.status == "found"
    assert row.lightbits.volume["UUID"] == lbs[0]["UUID"]
    assert row.lightbits.nodes == ["n0", "n1", "unknown-node"]
    # the clone on Lightbits; the volume on lvm is not on a Lightbits cluster
    assert row.boot == {"cloned": 1, "copied": 1, "unknown": 0}
    assert row.findings == []
    assert result.volume_rows == []
    assert sum(result.counts.values()) == 0


def test_boot_volumes_cloned_or_copied_from_the_lightbits_side():
    """Counted per image, image volume or not, from data already listed: a
    clone's source snapshot is for_clone_<its own id>; volumes cloned from a
    volume or made from a snapshot were not made from the image."""
    img = image(disk="qcow2", stores="file")  # no image volume: every boot volume a copy
    meta = {"image_id": img["id"]}
    cached = volume(volume_image_metadata=meta, project=USER)  # from a cache entry
    copied = volume(volume_image_metadata=meta, project=USER)
    of_volume = volume(volume_image_metadata=meta, source_volid=uid())
    of_snapshot = volume(volume_image_metadata=meta, snapshot_id=uid())
    missing = volume(volume_image_metadata=meta)
    odd = volume(volume_image_metadata=meta)
    lbs = [
        lb_volume(cached, sourceSnapshotName="for_clone_" + cached["id"]),
        lb_volume(copied),
        lb_volume(of_volume, sourceSnapshotName="for_clone_" + of_volume["id"]),
        lb_volume(of_snapshot, sourceSnapshotName="snapshot-x"),
        lb_volume(odd, sourceSnapshotName="for_clone_" + uid()),
    ]
    vols = [cached, copied, of_volume, of_snapshot, missing, odd]
    [row] = build([img], vols, cluster(*lbs)).image_rows
    assert row.boot == {"cloned": 1, "copied": 1, "unknown": 2}
    [row] = build([img], vols, lb="down").image_rows
    assert row.boot == {"cloned": 0, "copied": 0, "unknown": 4}


def test_location_links_volume_even_without_metadata():
    img_id = uid()
    vol = volume(name="renamed", metadata={"readonly": "True"})
    img = image(img_id, locations=[{"url": f"cinder://lightbits/{vol['id']}", "metadata": {}}])
    result = build([img], [vol], cluster(lb_volume(vol)))
    [row] = result.image_rows
    assert row.volume["id"] == vol["id"]
    assert row.findings == []


def test_image_not_on_lightbits_offers_copy_and_shows_progress():
    img = image(stores="file", os_glance_importing_to_stores="lightbits")
    failed = image(stores="file", os_glance_failed_import="lightbits")
    queued = image(stores="", status="queued")
    result = build([img, failed, queued], [])
    rows = {r.image["id"]: r for r in result.image_rows}
    finding = rows[img["id"]].findings[0]
    assert finding.code == inv.NOT_ON_LIGHTBITS and finding.action is None  # copying already
    assert finding.params == {"stores": ["file"], "copying": True}
    assert (rows[img["id"]].copying, rows[img["id"]].copy_failed) == (["lightbits"], [])
    assert (rows[failed["id"]].copying, rows[failed["id"]].copy_failed) == ([], ["lightbits"])
    assert rows[failed["id"]].findings[0].action == inv.ACTION_COPY  # may be retried
    assert rows[queued["id"]].findings[0].action is None  # only active images copy
    assert result.counts[inv.NOT_ON_LIGHTBITS] == 3


def test_qcow2_never_fast_clones():
    img = image(disk="qcow2")
    ivol = image_volume(img)
    [row] = build([img], [ivol], cluster(lb_volume(ivol))).image_rows
    assert codes(row) == [inv.NEVER_FAST_CLONE]
    assert row.findings[0].params == {
        "why": "format",
        "disk": "qcow2",
        "container": "bare",
    }


def test_image_volume_on_backend_no_lightbits_type_reaches():
    img = image()
    ivol = image_volume(img, vtype="other", **{"os-vol-host-attr:host": "h@lightbits#lightbits"})
    types = [{"id": "t", "name": "other", "extra_specs": {}}]
    result = inv.build(
        [img],
        [ivol],
        types,
        STORES,
        {"lightbits": cluster(lb_volume(ivol))},
        service_projects=[SERVICE],
    )
    [row] = result.image_rows
    assert row.backend == "lightbits"
    assert inv.NEVER_FAST_CLONE in codes(row)


def test_writable_image_volume_offers_make_read_only_only_when_available():
    img, img2 = image(), image()
    ivol = image_volume(img, readonly=False)
    busy = image_volume(img2, readonly=False, status="in-use")
    result = build([img, img2], [ivol, busy], cluster(lb_volume(ivol), lb_volume(busy)))
    rows = {r.image["id"]: r for r in result.image_rows}
    assert [(f.code, f.action) for f in rows[img["id"]].findings] == [
        (inv.NOT_READ_ONLY, inv.ACTION_MAKE_READ_ONLY)
    ]
    assert [(f.code, f.action) for f in rows[img2["id"]].findings] == [(inv.NOT_READ_ONLY, None)]


def test_image_volume_in_user_project():
    img = image()
    ivol = image_volume(img, project=USER)
    result = build([img], [ivol], cluster(lb_volume(ivol)), project_names={USER: "alice"})
    [row] = result.image_rows
    assert codes(row) == [inv.USER_PROJECT]
    assert row.findings[0].params == {"project": "alice"}


def test_user_project_heuristic_without_service_projects():
    img = image()
    in_owner = image_volume(img, project=USER)
    img2 = image()
    in_service = image_volume(img2, project=SERVICE)
    lb = cluster(lb_volume(in_owner), lb_volume(in_service))
    result = build([img, img2], [in_owner, in_service], lb, service_projects=[])
    rows = {r.image["id"]: r for r in result.image_rows}
    assert codes(rows[img["id"]]) == [inv.USER_PROJECT]
    assert codes(rows[img2["id"]]) == []


def test_orphan_is_offered_for_deletion_but_never_when_the_image_exists():
    gone = image()
    orphan = image_volume(gone)
    alive = image()
    backing = image_volume(alive)
    attached = image_volume(image(), attachments=[{"server_id": "s"}])
    lb = cluster(lb_volume(orphan), lb_volume(backing), lb_volume(attached))
    result = build([alive], [orphan, backing, attached], lb)
    rows = {r.id: r for r in result.volume_rows}
    assert [(f.code, f.action) for f in rows[orphan["id"]].findings] == [
        (inv.ORPHAN, inv.ACTION_DELETE_ORPHAN)
    ]
    assert rows[orphan["id"]].image_id == gone["id"]
    assert rows[attached["id"]].findings[0].action is None
    assert backing["id"] not in rows
    assert all(f.action != inv.ACTION_DELETE_ORPHAN for r in result.image_rows for f in r.findings)


def test_a_busy_orphan_is_not_offered_for_deletion():
    orphans = [image_volume(image(), status=s) for s in ("creating", "deleting", "error")]
    result = build([], orphans, cluster(*[lb_volume(v) for v in orphans]))
    actions = {r.volume["status"]: r.findings[0].action for r in result.volume_rows}
    assert actions == {
        "creating": None,
        "deleting": None,
        "error": inv.ACTION_DELETE_ORPHAN,
    }


def test_hidden_or_located_volume_is_not_an_orphan():
    img = image()
    vol = image_volume(image())  # metadata names another (gone) image...
    img["direct_url"] = f"cinder://lightbits/{vol['id']}"  # ...but a location points at it
    result = build([img], [vol], cluster(lb_volume(vol)))
    assert result.volume_rows == []
    assert result.image_rows[0].volume["id"] == vol["id"]


def test_three_kinds_of_image_named_volumes_are_told_apart():
    img = image()
    store_vol = image_volume(img)
    upload = volume(
        name="image-" + img["id"],
        metadata={"glance_image_id": img["id"], "image_owner": USER, "readonly": "True"},
    )
    cache = volume(
        name="image-" + img["id"],
        project=INTERNAL,
        volume_image_metadata={"image_id": img["id"]},
        metadata={"readonly": "True"},
    )
    mine = volume(name="image-" + uid(), project=USER)
    assert inv.image_volume_kind(store_vol) == inv.KIND_IMAGE_VOLUME
    assert inv.image_volume_kind(upload) == inv.KIND_UPLOAD_CLONE
    assert inv.image_volume_kind(cache) == inv.KIND_CACHE_ENTRY
    assert inv.image_volume_kind(mine) == inv.KIND_OTHER
    assert inv.image_volume_kind(volume(name="vol")) is None
    # With the internal tenant known, the owner decides.
    assert inv.image_volume_kind(cache, [INTERNAL]) == inv.KIND_CACHE_ENTRY
    named_like_cache = volume(
        name="image-" + img["id"], project=USER, volume_image_metadata={"image_id": img["id"]}
    )
    assert inv.image_volume_kind(named_like_cache) == inv.KIND_CACHE_ENTRY
    assert inv.image_volume_kind(named_like_cache, [INTERNAL]) == inv.KIND_OTHER
    lb = cluster(*(lb_volume(v) for v in (store_vol, upload, cache, mine)))
    result = build([img], [store_vol, upload, cache, mine], lb, internal_projects=[INTERNAL])
    assert sorted(r.volume_kind for r in result.image_rows) == sorted(
        [inv.KIND_IMAGE_VOLUME, inv.KIND_UPLOAD_CLONE]
    )
    [cache_row] = result.volume_rows
    assert cache_row.id == cache["id"] and codes(cache_row) == [inv.CACHE_ENTRY]
    assert cache_row.findings[0].action is None


def test_lightbits_volume_missing_or_unhealthy():
    vols = {state: volume() for state in ("ok", "missing", "Degraded", "ReadOnly", "NotAvailable")}
    lbs = [lb_volume(vols["ok"])] + [
        lb_volume(vols[s], protection=s) for s in ("Degraded", "ReadOnly", "NotAvailable")
    ]
    creating = volume(status="creating")  # no Lightbits volume expected yet
    result = build([], list(vols.values()) + [creating], cluster(*lbs))
    by_id = {r.id: codes(r) for r in result.volume_rows}
    assert by_id == {
        vols["missing"]["id"]: [inv.LIGHTBITS_MISSING],
        vols["Degraded"]["id"]: [inv.LIGHTBITS_DEGRADED],
        vols["ReadOnly"]["id"]: [inv.LIGHTBITS_READ_ONLY],
        vols["NotAvailable"]["id"]: [inv.LIGHTBITS_NOT_AVAILABLE],
    }
    health = result.clusters["lightbits"]
    assert (health.volumes, health.degraded, health.read_only, health.not_available) == (
        4,
        1,
        1,
        1,
    )


def test_lightbits_project_comes_from_the_volume_type():
    types = [
        {
            "id": "t",
            "name": "lightbits",
            "extra_specs": {"volume_backend_name": "lightbits", "lightos:project_name": "p1"},
        }
    ]
    vol = volume()
    other_project_same_name = lb_volume(vol, project="p1", protection="Degraded")
    result = inv.build([], [vol], types, STORES, {"lightbits": cluster(other_project_same_name)})
    assert [r.lightbits.volume["projectName"] for r in result.volume_rows] == ["p1"]


def test_lightbits_volume_without_cinder_volume():
    known = volume()
    stray = {
        "UUID": uid(),
        "name": "volume-" + uid(),
        "projectName": "default",
        "state": "Available",
    }
    other = {"UUID": uid(), "name": "not-cinder", "projectName": "default", "state": "Available"}
    going = dict(stray, UUID=uid(), name="volume-" + uid(), state="Deleting")
    result = build([], [known], cluster(lb_volume(known), stray, other, going))
    [row] = result.volume_rows
    assert codes(row) == [inv.NO_CINDER_VOLUME]
    assert row.lightbits.volume["UUID"] == stray["UUID"]


def test_unanswered_cluster_makes_columns_unknown_and_no_false_findings():
    img = image()
    ivol = image_volume(img)
    other = volume()
    result = build([img], [ivol, other], lb="connection refused")
    [row] = result.image_rows
    assert row.lightbits.status == inv.UNKNOWN
    assert row.boot == {"cloned": 0, "copied": 0, "unknown": 0}
    assert row.findings == []
    assert result.volume_rows == []
    health = result.clusters["lightbits"]
    assert not health.ok and health.error == "connection refused"


def test_config_chain():
    types = TYPES + [
        {"id": "t3", "name": "lb-spare", "extra_specs": {"volume_backend_name": "lightbits"}}
    ]
    stores = STORES + [{"id": "broken", "type": "cinder", "properties": {"volume_type": "nope"}}]
    result = inv.build([], [], types, stores, {"lightbits": cluster()})
    rows = {r.id: r for r in result.config_rows}
    assert rows["store:lightbits"].backend == "lightbits"
    assert rows["store:lightbits"].cluster.nodes == 3
    assert rows["store:file"].volume_type is None
    assert rows["store:broken"].note == inv.NOTE_TYPE_MISSING
    assert rows["type:lb-spare"].note == inv.NOTE_TYPE_UNUSED
    assert rows["type:lb-spare"].store is None
    assert result.lightbits_stores == ["lightbits"]


def test_unread_lists_prove_no_absence():
    vol = image_volume(image())
    stray = {
        "UUID": uid(),
        "name": "volume-" + uid(),
        "projectName": "default",
        "state": "Available",
    }
    result = build([], [vol], cluster(lb_volume(vol), stray), images_known=False)
    assert [codes(r) for r in result.volume_rows] == [[inv.NO_CINDER_VOLUME]]
    result = build([], [], cluster(stray), volumes_known=False)
    assert result.volume_rows == []


def test_image_in_a_lightbits_store_without_image_volume():
    img = image(stores="lightbits")
    [row] = build([img], []).image_rows
    assert codes(row) == [inv.IMAGE_VOLUME_MISSING]
    [row] = build([img], [], volumes_known=False).image_rows
    assert codes(row) == []


def test_counts_are_per_subject():
    img = image(stores="file")  # not on Lightbits, with two writable volumes elsewhere
    a = image_volume(img, readonly=False, vtype="lvm")
    b = image_volume(img, readonly=False, vtype="lvm")
    result = build([img], [a, b])
    assert len(result.image_rows) == 2
    assert result.counts[inv.NOT_ON_LIGHTBITS] == 1
    assert result.counts[inv.NOT_READ_ONLY] == 2


def test_every_rule_is_a_small_function_returning_a_coded_finding_or_none():
    rules = inv.IMAGE_RULES + inv.IMAGE_VOLUME_RULES + inv.LIGHTBITS_RULES
    assert all(callable(r) for r in rules)
    img = image(disk="qcow2", stores="file")
    ivol = image_volume(img, readonly=False, project=USER)
    result = build([img], [ivol], cluster(), project_names={USER: "alice"})
    found = {f.code for r in result.image_rows for f in r.findings}
    assert found == {  # not "not on Lightbits": its image volume is
        inv.NEVER_FAST_CLONE,
        inv.NOT_READ_ONLY,
        inv.USER_PROJECT,
        inv.LIGHTBITS_MISSING,
    }
    assert found <= set(inv.FINDING_CODES)
    for row in result.image_rows:
        for f in row.findings:
            assert isinstance(f.params, dict) and not hasattr(f, "text")


def test_no_english_sentence_in_the_logic():
    """Findings, kinds and notes are codes; the panel's texts.py words them."""
    import inspect

    source = inspect.getsource(inv)
    for sentence in ("Lightbits cluster has no volume", "is writable", "no longer exists"):
        assert sentence not in source


def cache_entry(img, created_at, status="available"):
    """An image-volume cache entry as seen in the local cloud: only readonly
    metadata, source_volid, no volume_image_metadata."""
    return volume(
        name="image-" + img["id"],
        project=INTERNAL,
        status=status,
        metadata={"readonly": "True"},
        source_volid=uid(),
        created_at=created_at,
    )


def test_a_fresh_cache_entry_makes_a_qcow2_image_fast_clone_from_cache():
    img = image(disk="qcow2", updated_at="2026-01-01T10:00:00Z")
    ivol = image_volume(img)
    entry = cache_entry(img, "2026-01-01T10:05:00.000000")
    lbs = cluster(lb_volume(ivol), lb_volume(entry))
    result = build([img], [ivol, entry], lbs, internal_projects=[INTERNAL])
    [row] = result.image_rows
    assert row.cache == cache_view.FRESH
    assert inv.NEVER_FAST_CLONE not in codes(row)  # the cache clones it
    [entry_row] = result.volume_rows
    assert codes(entry_row) == [inv.CACHE_ENTRY]  # fresh: no stale finding
    # Without the internal tenant configured the cache is not considered.
    [row] = build([img], [ivol, entry], lbs).image_rows
    assert row.cache is None and inv.NEVER_FAST_CLONE in codes(row)


def test_a_stale_cache_entry_is_a_finding_and_the_image_still_copies():
    img = image(disk="qcow2", updated_at="2026-01-02T00:00:00Z")
    ivol = image_volume(img)
    stale = cache_entry(img, "2026-01-01T10:05:00")
    result = build(
        [img],
        [ivol, stale],
        cluster(lb_volume(ivol), lb_volume(stale)),
        internal_projects=[INTERNAL],
    )
    [row] = result.image_rows
    assert row.cache == cache_view.STALE
    assert inv.NEVER_FAST_CLONE in codes(row)
    [entry_row] = result.volume_rows
    assert codes(entry_row) == [inv.CACHE_ENTRY, inv.CACHE_ENTRY_STALE]
    finding = entry_row.findings[1]
    assert finding.params == {"image_id": img["id"], "updated_at": "2026-01-02T00:00:00Z"}
    assert result.counts[inv.CACHE_ENTRY_STALE] == 1
    # one fresh entry besides the stale one (another backend host) serves it
    fresh = cache_entry(img, "2026-01-02T00:00:01")
    [row] = build([img], [ivol, stale, fresh], internal_projects=[INTERNAL]).image_rows
    assert row.cache == cache_view.FRESH


def test_cache_rules_left_alone():
    raw = image(updated_at="2026-01-02T00:00:00Z")
    creating = image(disk="qcow2")
    user_volume = volume(name="image-" + creating["id"], project=USER)  # not the tenant's
    entries = [cache_entry(raw, "2026-01-03T00:00:00"), user_volume]
    entries.append(cache_entry(creating, "2026-01-03T00:00:00", status="creating"))
    result = build([raw, creating], entries, internal_projects=[INTERNAL])
    rows = {r.image["id"]: r for r in result.image_rows}
    assert rows[raw["id"]].cache is None  # raw/bare clones its image volume
    assert rows[creating["id"]].cache is None  # an entry not available serves nothing
