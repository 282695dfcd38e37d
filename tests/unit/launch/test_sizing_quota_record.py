import json

from lightbits_dashboard.launch import quota, record, sizing
from lightbits_dashboard.message import msg
from tests.unit.english import english

GIB = 1024**3


def test_min_size_uses_virtual_size_over_file_size():
    assert sizing.min_boot_volume_gib(size=300 * 1024**2, virtual_size=10 * GIB) == 10
    assert sizing.min_boot_volume_gib(size=int(2.5 * GIB)) == 3
    assert sizing.min_boot_volume_gib(size=GIB, min_disk=15, flavor_disk=20) == 20
    assert sizing.min_boot_volume_gib(size=GIB, min_disk=15, flavor_disk=0) == 15
    assert sizing.min_boot_volume_gib() == 1


def test_server_names_follow_horizon():
    assert sizing.server_names("vm", 1) == ["vm"]
    assert sizing.server_names("vm", 3) == ["vm-1", "vm-2", "vm-3"]


def test_quota_needs_cover_the_whole_count():
    needs = quota.launch_needs(3, vcpus=2, ram_mb=1024, volume_gib=20, volume_type="lb")
    assert needs == {
        "instances": 3,
        "cores": 6,
        "ram": 3072,
        "volumes": 3,
        "gigabytes": 60,
        "volumes_lb": 3,
        "gigabytes_lb": 60,
    }


def test_quota_unlimited_and_missing_pass():
    needs = {"instances": 5, "ram": 10}
    assert quota.refusals(needs, {"instances": (-1, 99)}) == []
    assert quota.refusals(needs, {"instances": (float("inf"), 0)}) == []


def test_quota_refusal_message():
    refusals = quota.refusals({"volumes": 3}, {"volumes": (10, 9)})
    assert [english(m) for m in refusals] == [
        "Quota exceeded for volumes: this launch needs 3, 9 of 10 in use (1 available)"
    ]


def test_record_message_is_a_code_with_parameters_not_english():
    summary = msg("launched_all", launched=2, total=3)
    done = record.LaunchRecord("L1", "vm", 1, 3, "vm-1", "img", record.ACTIVE, message=summary)
    metadata = record.encode(done)
    assert json.loads(metadata["lightbits_launch_message"]) == {
        "c": "launched_all",
        "p": {"launched": 2, "total": 3},
    }
    assert record.decode(metadata).message == summary


def test_record_written_in_english_by_the_previous_version_still_reads():
    """Migrate on read: known English summaries become their code, any other
    text is shown as it was written."""
    old = {
        "lightbits_launch_id": "L1",
        "lightbits_launch_state": "active",
        "lightbits_launch_message": "2 of 3 launched",
    }
    assert record.decode(old).message == msg("launched_all", launched=2, total=3)
    old["lightbits_launch_message"] = "vm-1 launched"
    assert record.decode(old).message == msg("launched_one", server="vm-1")
    old["lightbits_launch_message"] = "vm failed: the server went to ERROR: boom"
    rec = record.decode(old)
    assert rec.message == msg("legacy_text", text="vm failed: the server went to ERROR: boom")
    assert english(rec.message) == "vm failed: the server went to ERROR: boom"
    old["lightbits_launch_message"] = "{not json"
    assert english(record.decode(old).message) == "{not json"


def test_a_long_message_is_cut_to_fit_and_still_decodes():
    long = msg("volume_refused", error="x" * 400)
    stored = record.encode_message(long)
    assert len(stored) <= record.CHUNK
    back = record.read_message(stored)
    assert back.code == "volume_refused" and back.params["error"].endswith("\u2026")


def test_record_round_trip_with_long_user_data():
    spec = record.ServerSpec(
        flavor="f1",
        networks=("n1", "n2"),
        key_name="kp",
        security_groups=("default", "web"),
        availability_zone="nova",
        delete_on_terminate=False,
        user_data="#!/bin/sh\n" + "echo é\n" * 200,
    )
    rec = record.LaunchRecord("L1", "vm", 2, 3, "vm-2", "img", record.CLONING, spec)
    metadata = record.encode(rec)
    assert all(len(k) <= 255 and len(v) <= 255 for k, v in metadata.items())
    assert all(isinstance(v, str) for v in metadata.values())
    assert record.decode(metadata) == rec
    assert set(record.boot_only_keys(metadata)) == {
        k for k in metadata if "_spec_" in k or "_userdata_" in k
    }
    assert record.decode({"other": "x"}) is None
    assert record.decode({"lightbits_launch_id": "x", "lightbits_launch_index": "bad"}) is None
    assert record.decode({"lightbits_launch_id": "x", "lightbits_launch_spec_0": "[1]"}) is None
