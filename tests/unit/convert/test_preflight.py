"""Every preflight rule: passes, and its Problem code and parameters."""

from lightbits_dashboard.convert import preflight as pf
from tests.unit.convert.fake_cloud import source

TYPES = {"lightbits": {"volume_backend_name": "lightbits"}}


def codes(problems):
    return [p.code for p in problems]


def run(src, **kw):
    args = dict(project_id="p1", volume_type="lightbits", types=TYPES, usage={})
    args.update(kw)
    return pf.check(src, **args)


def test_a_good_qcow2_image_passes():
    assert run(source()) == []


def test_temporary_volume_is_the_smallest_holding_the_virtual_size():
    assert pf.temporary_volume_gib(source()) == 4
    assert pf.temporary_volume_gib(source(virtual_size=None, size=10)) == 1
    assert pf.temporary_volume_gib(source(min_disk=8)) == 8


def test_image_not_active():
    assert run(source(status="queued")) == [pf.Problem(pf.NOT_ACTIVE, {"status": "queued"})]


def test_size_unknown_skips_the_quota_check():
    problems = run(source(size=None, virtual_size=None), usage={"volumes": (0, 0)})
    assert codes(problems) == [pf.SIZE_UNKNOWN]


def test_not_owner_unless_any_image():
    assert run(source(owner="p2")) == [pf.Problem(pf.NOT_OWNER, {"owner": "p2"})]
    assert run(source(owner="p2"), any_image=True) == []


def test_format_not_convertible():
    problems = run(source(disk_format="iso"))
    assert problems == [pf.Problem(pf.FORMAT, {"disk_format": "iso", "container_format": "bare"})]
    assert codes(run(source(container_format="ova"))) == [pf.FORMAT]


def test_raw_bare_on_lightbits_is_already_fast_clonable():
    assert codes(run(source(disk_format="raw"))) == [pf.ALREADY_FAST]
    # a raw image not on Lightbits yet (admin: any image) converts
    assert run(source(disk_format="raw", store=None), any_image=True) == []


def test_every_problem_of_another_projects_image_is_named_one_per_problem():
    """As the demo's cirros-raw and cirros-file, seen from another project."""
    raw_on_lightbits = source(disk_format="raw", owner="admin")
    raw_on_file = source(disk_format="raw", owner="admin", store=None)
    assert codes(run(raw_on_lightbits)) == [pf.NOT_OWNER, pf.ALREADY_FAST]
    assert codes(run(raw_on_file)) == [pf.NOT_OWNER, pf.NOT_ON_LIGHTBITS]
    # the admin panel converts any image, onto Lightbits too
    assert codes(run(raw_on_lightbits, any_image=True)) == [pf.ALREADY_FAST]
    assert run(raw_on_file, any_image=True) == []


def test_already_converted_when_its_copy_exists():
    src = source(converted_to="img-2")
    assert run(src, existing_image_ids={"img-2"}) == [
        pf.Problem(pf.ALREADY_CONVERTED, {"image_id": "img-2"})
    ]
    assert run(src, existing_image_ids={"img-3"}) == []  # the copy was deleted


def test_in_progress():
    assert codes(run(source(), converting_image_ids={"img-1"})) == [pf.IN_PROGRESS]


def test_store_volume_type_missing():
    problems = run(source(), types={})
    assert problems == [pf.Problem(pf.NO_TYPE, {"store": "lightbits", "type": "lightbits"})]
    assert codes(run(source(), volume_type=None)) == [pf.NO_TYPE]


def test_type_carrying_the_store_id_loses_the_clone():
    types = {"lightbits": {pf.STORE_ID_SPEC: "lightbits"}}
    assert run(source(), types=types) == [
        pf.Problem(pf.TYPE_STORE_ID, {"type": "lightbits", "store": "lightbits"})
    ]
    assert run(source(), types={"lightbits": None}) == []  # specs unreadable: not blocked


def test_quota_counts_the_temporary_volume_and_its_clone():
    usage = {"volumes": (10, 9), "gigabytes_lightbits": (100, 95), "gigabytes": (-1, 5)}
    problems = run(source(), usage=usage)
    volumes = {"name": "volumes", "needs": 2, "used": 9, "limit": 10, "available": 1}
    gigabytes = {"name": "gigabytes_lightbits", "needs": 8, "used": 95, "limit": 100}
    assert problems == [
        pf.Problem(pf.QUOTA, volumes),
        pf.Problem(pf.QUOTA, dict(gigabytes, available=5)),
    ]


def test_glance_quota_for_the_new_image_when_glance_shows_its_limits():
    # GET /v2/info/usage with Keystone unified limits: sizes in MiB
    usage = {
        "image_count_total": {"limit": 5, "usage": 5},
        "image_size_total": {"limit": 5000, "usage": 900},  # 4 GiB = 4096 MiB fits
        "image_stage_total": {"limit": 0, "usage": 0},  # not what the route uses
    }
    count = {"name": "image_count_total", "needs": 1, "used": 5, "limit": 5, "available": 0}
    assert run(source(), image_usage=usage) == [pf.Problem(pf.IMAGE_QUOTA, count)]
    usage["image_count_total"]["limit"] = -1  # unlimited
    usage["image_size_total"]["usage"] = 1000 + 1
    size = {"name": "image_size_total", "needs": 4096, "used": 1001, "limit": 5000}
    assert run(source(), image_usage=usage) == [
        pf.Problem(pf.IMAGE_QUOTA, dict(size, available=3999))
    ]
    assert pf.image_quota_checked(usage)


def test_glance_quota_cannot_be_checked_without_limits():
    # Glance without use_keystone_limits answers {}; an older one: no answer (None)
    for unknown in ({}, None):
        assert run(source(), image_usage=unknown) == []
        assert not pf.image_quota_checked(unknown)
    # nor with the image's size unknown
    usage = {"image_count_total": {"limit": 0, "usage": 0}}
    assert codes(run(source(size=None, virtual_size=None), image_usage=usage)) == [pf.SIZE_UNKNOWN]


def test_public_image_needs_the_right_to_publicize():
    assert run(source(visibility="public")) == [
        pf.Problem(pf.VISIBILITY, {"visibility": "public"})
    ]
    assert run(source(visibility="public"), can_publicize=True) == []


def test_every_problem_at_once():
    problems = run(source(status="saving", owner="p2", visibility="public"), types={})
    assert codes(problems) == [pf.NOT_ACTIVE, pf.NOT_OWNER, pf.NO_TYPE, pf.VISIBILITY]


def test_source_from_glance_image_keeps_user_properties():
    image = {
        "id": "img-1",
        "name": "c",
        "status": "active",
        "disk_format": "qcow2",
        "container_format": "bare",
        "owner": "p1",
        "visibility": "shared",
        "min_disk": 2,
        "min_ram": 64,
        "protected": True,
        "tags": ["a"],
        "os_hash_value": "x",
        "hw_disk_bus": "scsi",
        "lightbits_converted_to": "img-2",
    }
    src = pf.source_from(image, ["p9"], "lightbits")
    assert src.properties == {"hw_disk_bus": "scsi", "lightbits_converted_to": "img-2"}
    assert (src.min_disk, src.min_ram, src.protected, src.tags) == (2, 64, True, ("a",))
    assert src.members == ("p9",) and src.converted_to == "img-2"


def test_being_converted_elsewhere_is_one_problem_saying_who():
    by = ("by_other_project", {})
    problems = run(source(), converting_image_ids={"img-1"}, converting_by=by)
    assert problems == [pf.Problem(pf.BEING_CONVERTED, {"who": "by_other_project"})]


def test_already_converted_into_a_copy_the_user_cannot_see():
    src = source(converted_to="img-2")
    assert codes(run(src, copy_hidden=True)) == [pf.ALREADY_CONVERTED_HIDDEN]
    assert run(src, copy_hidden=False) == []  # an admin sees every image: it is gone
