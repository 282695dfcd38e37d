from lightbits_dashboard.convert import record

REC = record.ConversionRecord("c1", "img-1", "cirros", "cirros-raw", True)


def test_round_trip_in_volume_metadata():
    rec = REC.with_(stage=record.REGISTERING, image_id="img-2", route="clone")
    metadata = record.encode(rec)
    assert all(len(v) <= 255 for v in metadata.values())
    assert record.decode(metadata) == rec


def test_long_reason_is_cut():
    rec = REC.with_(stage=record.ERROR, error="volume_error", reason="x" * 600)
    decoded = record.decode(record.encode(rec))
    assert len(decoded.reason) == 255 and decoded.reason.endswith("\u2026")


def test_not_a_conversion():
    assert record.decode({"foo": "bar"}) is None
    assert record.decode(None) is None


def test_finished_conversion_from_the_new_image():
    rec = REC.with_(stage=record.ACTIVE, image_id="img-2", route="clone")
    props = record.new_image_properties(rec)
    found = record.from_image("img-2", "cirros-raw", props)
    assert (found.source_id, found.stage, found.route) == ("img-1", "active", "clone")
    assert found.source_name == "cirros"
    assert record.from_image("img-3", "x", {}) is None


def test_row_state_interrupted_only_when_in_progress_without_driver():
    assert record.row_state(REC, alive=False) == record.INTERRUPTED
    assert record.row_state(REC, alive=True) == record.COPYING
    assert record.row_state(REC.with_(stage=record.ACTIVE), alive=False) == record.ACTIVE
