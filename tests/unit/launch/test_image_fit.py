"""launch/image_fit: the image properties Nova refuses a volume-backed boot for."""

import pytest

from lightbits_dashboard.launch import image_fit
from tests.unit.english import english

TINY = {"name": "m1.tiny", "ram": 512}


def codes(props, specs=None, flavor=TINY):
    return [m.code for m in image_fit.refusals(props, flavor, specs if specs is not None else {})]


def test_nothing_set_nothing_refused():
    assert codes({"min_ram": 0}) == []
    assert image_fit.needs_extra_specs({"min_ram": 0}) is False


def test_min_ram_above_the_flavor_ram_is_refused_and_equal_passes():
    (found,) = image_fit.refusals({"min_ram": 1024}, TINY, {})
    assert found.code == "flavor_ram_below_min_ram"
    assert english(found) == (
        "Flavor m1.tiny has 512 MB of RAM; this image needs at least 1024 MB (its min_ram)."
    )
    assert codes({"min_ram": 512}) == []


@pytest.mark.parametrize("value", ["optional", "mandatory"])
def test_config_drive_values_nova_accepts(value):
    assert codes({"img_config_drive": value}) == []


def test_config_drive_other_value_is_refused():
    (found,) = image_fit.refusals({"img_config_drive": "always"}, TINY, {})
    assert found.code == "image_config_drive_invalid"
    assert "always" in english(found)


def test_serial_ports_above_the_flavor_are_refused():
    props = {"hw_serial_port_count": "6"}
    assert image_fit.needs_extra_specs(props)
    assert codes(props, {"hw:serial_port_count": "4"}) == ["image_serial_ports_exceed"]
    assert codes(props, {"hw:serial_port_count": "6"}) == []
    assert codes(props, {}) == []  # no flavor value: any image value (Nova)


def test_cpu_max_above_the_flavor_max_is_refused():
    props = {"hw_cpu_max_sockets": "4"}
    assert codes(props, {"hw:cpu_max_sockets": "2"}) == ["image_cpu_max_exceeds"]
    assert codes(props, {"hw:cpu_max_sockets": "4"}) == []
    assert codes(props, {}) == []


def test_cpu_preferred_above_the_image_or_flavor_max_is_refused():
    assert codes({"hw_cpu_cores": "8"}, {"hw:cpu_max_cores": "4"}) == ["image_cpu_exceeds_max"]
    props = {"hw_cpu_threads": "4", "hw_cpu_max_threads": "2"}
    found = image_fit.refusals(props, TINY, {})
    assert [m.code for m in found] == ["image_cpu_exceeds_max"]
    assert "hw_cpu_threads (4)" in english(found[0])
    assert codes({"hw_cpu_cores": "4"}, {"hw:cpu_max_cores": "4"}) == []


def test_page_size_needs_a_flavor_that_allows_it():
    props = {"hw_mem_page_size": "large"}
    assert codes(props, {}) == ["image_page_size_forbidden"]
    assert codes(props, {"hw:mem_page_size": "small"}) == ["image_page_size_forbidden"]
    assert codes(props, {"hw:mem_page_size": "any"}) == []
    assert codes(props, {"hw:mem_page_size": "large"}) == []


def test_unknown_extra_specs_leave_their_rules_to_nova():
    props = {"hw_mem_page_size": "large", "min_ram": 1024}
    found = image_fit.refusals(props, TINY, None)
    assert [m.code for m in found] == ["flavor_ram_below_min_ram"]


def test_every_rule_has_an_english_text():
    props = {
        "min_ram": 1024,
        "img_config_drive": "x",
        "hw_serial_port_count": "9",
        "hw_cpu_max_cores": "9",
        "hw_mem_page_size": "2MB",
    }
    found = image_fit.refusals(props, TINY, {"hw:serial_port_count": "1", "hw:cpu_max_cores": "1"})
    assert len(found) == len(image_fit.RULES)
    for message in found:
        assert english(message) != message.code
