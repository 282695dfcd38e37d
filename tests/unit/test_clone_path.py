"""One test per Cinder clone rule (lightbits_dashboard.clone_path)."""

from lightbits_dashboard import clone_path as cp
from lightbits_dashboard.message import Message
from tests.unit.english import english

PROJECT = "p1"


def image(**fields):
    base = {"status": "active", "disk_format": "raw", "container_format": "bare", "owner": PROJECT}
    base.update(fields)
    return base


def verdict(img, **kwargs):
    args = {
        "store": "lightbits",
        "mapped_types": ["lightbits"],
        "existing_type_names": ["lightbits", "ceph"],
        "project_id": PROJECT,
        "encrypted_type_names": set(),
    }
    args.update(kwargs)
    kind, reasons = cp.clone_path(img, **args)
    return kind, [english(r) for r in reasons]


def test_all_rules_hold_is_fast_clone():
    assert verdict(image()) == (cp.FAST_CLONE, [])


def test_rule_active():
    assert cp.check_active(image()).ok is True
    check = cp.check_active(image(status="queued"))
    assert check.ok is False and "not active (status queued)" in english(check.message)
    assert verdict(image(status="queued"))[0] == cp.COPY


def test_rule_raw_and_bare():
    assert cp.check_raw_bare(image()).ok is True
    assert (
        english(cp.check_raw_bare(image(disk_format="qcow2")).message)
        == "image is qcow2/bare, not raw/bare"
    )
    assert cp.check_raw_bare(image(container_format="ovf")).ok is False
    assert verdict(image(disk_format="qcow2")) == (cp.COPY, [QCOW2_REASON])


def test_rule_volume_type_for_the_store_exists():
    assert cp.check_volume_type("lightbits", ["lightbits"], {"lightbits"}).ok is True
    missing = cp.check_volume_type("lightbits", ["lightbits"], {"ceph"})
    assert missing.ok is False and "exists in this cloud (lightbits)" in english(missing.message)
    unmapped = cp.check_volume_type("other", [], {"lightbits"})
    assert unmapped.ok is False and "no Lightbits volume type is configured for store other" in (
        english(unmapped.message)
    )
    assert verdict(image(), existing_type_names=["ceph"])[0] == cp.COPY


def test_rule_not_encrypted():
    assert cp.check_not_encrypted(["lightbits"], set()).ok is True
    assert cp.check_not_encrypted(["lightbits"], {"lightbits"}).ok is False
    # one plain type among the mapped ones is enough
    assert cp.check_not_encrypted(["lb", "lb-enc"], {"lb-enc"}).ok is True
    unknown = cp.check_not_encrypted(["lightbits"], None)
    assert unknown.ok is None and "cannot check" in english(unknown.message)
    assert verdict(image(), encrypted_type_names={"lightbits"}) == (
        cp.COPY,
        ["the Lightbits volume type is encrypted"],
    )
    fast, reasons = verdict(image(), encrypted_type_names=None)
    assert fast == cp.FAST_CLONE and "cannot check" in english(reasons[0])


def test_rule_owner():
    assert cp.check_owner(image(), PROJECT, None).ok is True
    other = image(owner="p2")
    # the image volume is not visible: not decidable
    unknown = cp.check_owner(other, PROJECT, None)
    assert unknown.ok is None and "cannot check from this project's view" in english(
        unknown.message
    )
    # visible image volume recording the image's owner: Cinder clones
    good_volume = {"metadata": {"image_owner": "p2"}}
    assert cp.check_owner(other, PROJECT, good_volume).ok is True
    # visible image volume recording someone else: Cinder copies
    bad_volume = {"metadata": {"image_owner": "p3"}}
    assert (
        english(cp.check_owner(other, PROJECT, bad_volume).message)
        == "image owned by another project"
    )
    assert verdict(other, image_volume=bad_volume) == (cp.COPY, ["image owned by another project"])


def test_several_failures_are_all_reported():
    kind, reasons = verdict(image(disk_format="qcow2", status="saving"), existing_type_names=[])
    assert kind == cp.COPY and len(reasons) == 3


def test_verdict_and_reasons_are_codes_with_parameters():
    kind, reasons = cp.clone_path(
        image(disk_format="qcow2"),
        store="lightbits",
        mapped_types=["lightbits"],
        existing_type_names=["lightbits"],
        project_id=PROJECT,
        encrypted_type_names=set(),
    )
    assert kind == "copy"
    assert reasons == [Message("not_raw_bare", {"disk": "qcow2", "container": "bare"})]


# -- Cinder's image-volume cache ---------------------------------------------


def entry(created_at="2026-12-02T10:00:00.000000", status="available"):
    return {"name": "image-i1", "created_at": created_at, "status": status}


QCOW2 = image(disk_format="qcow2", updated_at="2026-12-01T09:00:00Z")
QCOW2_REASON = "image is qcow2/bare, not raw/bare"


def test_a_fresh_cache_entry_makes_a_qcow2_image_fast_clone_from_cache():
    assert verdict(QCOW2, cache_entries=[entry()]) == (cp.FAST_CLONE_CACHE, [])
    assert cp.FAST_CLONE_CACHE in cp.FAST_CLONE_VERDICTS


def test_the_cache_also_serves_an_image_of_another_owner():
    foreign = dict(QCOW2, owner="other")
    assert verdict(foreign, cache_entries=[entry()])[0] == cp.FAST_CLONE_CACHE


def test_a_stale_cache_entry_is_a_copy_with_the_reason():
    updated = dict(QCOW2, updated_at="2026-12-02T11:00:00Z")  # after the entry was made
    assert cp.is_stale(updated, entry())
    assert verdict(updated, cache_entries=[entry()]) == (
        cp.COPY,
        [QCOW2_REASON, english(Message(cp.CACHE_STALE))],
    )
    # one fresh entry (another host) is enough
    fresh = entry(created_at="2026-12-02T12:00:00")
    assert verdict(updated, cache_entries=[entry(), fresh])[0] == cp.FAST_CLONE_CACHE


def test_timestamps_with_offsets_compare_in_utc():
    img = dict(QCOW2, updated_at="2026-12-02T11:30:00+02:00")  # 09:30 UTC
    assert not cp.is_stale(img, entry())
    assert not cp.is_stale(dict(QCOW2, updated_at="not a time"), entry())


def test_no_entry_or_an_unusable_one_stays_copy():
    assert verdict(QCOW2, cache_entries=[]) == (cp.COPY, [QCOW2_REASON])
    assert verdict(QCOW2, cache_entries=[entry(status="error")])[0] == cp.COPY


def test_entries_the_project_cannot_see_are_said():
    assert verdict(QCOW2, cache_entries=None) == (
        cp.COPY,
        [QCOW2_REASON, english(Message(cp.CACHE_UNSEEN))],
    )


def test_the_cache_is_not_considered_unless_asked():
    assert verdict(QCOW2) == (cp.COPY, [QCOW2_REASON])


def test_the_cache_does_not_lift_the_other_rules():
    queued = dict(QCOW2, status="queued")
    assert verdict(queued, cache_entries=[entry()])[0] == cp.COPY
    assert verdict(QCOW2, existing_type_names=["ceph"], cache_entries=[entry()])[0] == cp.COPY
    encrypted = verdict(QCOW2, encrypted_type_names={"lightbits"}, cache_entries=[entry()])
    assert encrypted[0] == cp.COPY
