from django.test import override_settings

from lightbits_dashboard import conf


def test_default_when_not_configured():
    with override_settings(LIGHTBITS_DASHBOARD={}):
        assert conf.get("LAUNCH_CLONE_TIMEOUT") == conf.DEFAULTS["LAUNCH_CLONE_TIMEOUT"]


def test_configured_value_wins():
    with override_settings(LIGHTBITS_DASHBOARD={"LAUNCH_MAX_COUNT": 3}):
        assert conf.get("LAUNCH_MAX_COUNT") == 3


def test_defaults_are_not_shared_between_calls():
    with override_settings(LIGHTBITS_DASHBOARD={}):
        conf.get("STORE_VOLUME_TYPES")["lightbits"].append("changed")
        assert conf.get("STORE_VOLUME_TYPES") == {"lightbits": ["lightbits"]}
