"""The repository's message catalog is current (run once, not per release)."""

import subprocess

from babel.messages import pofile

from tests.unit.i18n import pseudo


def test_the_committed_catalog_is_current(tmp_path):
    """tools/extract-messages was run after the last text change."""
    out = tmp_path / "django.pot"
    subprocess.run(
        ["tools/extract-messages", "-o", str(out)],
        cwd=pseudo.ROOT,
        check=True,
        capture_output=True,
    )

    def ids(path):
        with open(path, "rb") as f:
            return {(m.context, str(m.id)) for m in pofile.read_po(f) if m.id}

    assert ids(out) == ids(pseudo.ROOT / "lightbits_dashboard" / "locale" / "django.pot")
