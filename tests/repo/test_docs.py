"""The configuration guide and the shipped example settings file name every
setting of lightbits_dashboard/conf.py with its default, so neither can rot."""

import ast
import configparser
import os
import re

from lightbits_dashboard import conf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the checkout
GUIDE = os.path.join(ROOT, "doc", "source", "configuration", "index.md")
EXAMPLE_NAME = "_2240_lightbits_dashboard.py.example"
EXAMPLE = os.path.join(ROOT, "lightbits_dashboard", "local", "local_settings.d", EXAMPLE_NAME)


def _guide_defaults():
    """{key: default} from the guide's table rows "| `KEY` | `default` | ..."."""
    rows = re.findall(r"^\| `([A-Z_]+)` \| `([^`]*)` \|", open(GUIDE).read(), re.M)
    return {key: ast.literal_eval(default) for key, default in rows}


def _example():
    """The example's live settings, and {key: value} of its commented keys."""
    text = open(EXAMPLE).read()
    names = {}
    exec(compile(text, EXAMPLE, "exec"), {}, names)
    commented = re.findall(r'^\s*# "([A-Z_]+)": (.+?),(?:\s+#.*)?$', text, re.M)
    return names, {key: ast.literal_eval(value) for key, value in commented}


def test_guide_gives_every_setting_with_its_default():
    assert _guide_defaults() == conf.DEFAULTS


def test_example_names_every_setting_and_commented_values_are_defaults():
    names, commented = _example()
    live = names["LIGHTBITS_DASHBOARD"]
    assert set(live) | set(commented) == set(conf.DEFAULTS)
    assert not set(live) & set(commented)
    assert commented == {key: conf.DEFAULTS[key] for key in commented}
    assert names["DEFAULT_EXCEPTION_REPORTER_FILTER"] == (
        "lightbits_dashboard.reporting.ReporterFilter"
    )


def test_example_is_package_data():
    setup = configparser.ConfigParser()
    setup.read(os.path.join(ROOT, "setup.cfg"))
    patterns = setup["options.package_data"]["lightbits_dashboard"].split()
    assert "local/local_settings.d/*.example" in patterns
