"""Cinder's Lightbits backend state from its pools and volume services."""

from lightbits_dashboard.launch import backend
from tests.unit.english import english

POOL = {"name": "node@lightbits#lightbits", "volume_backend_name": "lb"}
UP = {"binary": "cinder-volume", "host": "node@lightbits", "state": "up", "status": "enabled"}


def test_up_when_its_pool_and_service_are_up():
    assert backend.down_reason("lb", [POOL], [UP]) is None


def test_unknown_when_cinder_does_not_let_us_read_the_state():
    assert backend.down_reason("lb", None, [UP]) is None
    assert backend.down_reason("lb", [POOL], None) is None


def test_down_service_is_named():
    down = dict(UP, state="down")
    assert english(backend.down_reason("lb", [POOL], [down])) == (
        "Cinder's volume service node@lightbits for backend lb is down/enabled"
    )


def test_no_pool_means_the_driver_is_not_serving():
    reason = backend.down_reason("lb", [dict(POOL, volume_backend_name="ceph")], [UP])
    assert english(reason).startswith("Cinder's scheduler has no pool for backend lb")


def test_backend_state_down_in_every_pool():
    assert english(backend.down_reason("lb", [dict(POOL, backend_state="down")], [UP])) == (
        "Cinder reports backend lb down"
    )
