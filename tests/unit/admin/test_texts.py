"""The panel words the inventory's codes (texts.py); the copy-status column
comes from the row's copy fields, not from the words."""

from django.test import SimpleTestCase
from django.utils import translation

from lightbits_dashboard import cache_view
from lightbits_dashboard import inventory as inv
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import tables, texts
from tests.unit.i18n import pseudo


class TextsTests(pseudo.PseudoLocale, SimpleTestCase):
    def test_every_code_has_a_label_and_a_text(self):
        self.assertEqual(set(texts.FINDING_LABELS), set(inv.FINDING_CODES))
        for code in inv.FINDING_CODES:
            text = texts.finding_text(inv.Finding(code, {}))
            self.assertNotEqual(text, code)
        for kind in (inv.KIND_IMAGE_VOLUME, inv.KIND_UPLOAD_CLONE, inv.KIND_CACHE_ENTRY):
            self.assertNotEqual(texts.kind_label(kind), kind)

    def test_parameters_fill_the_text(self):
        finding = inv.Finding(inv.ORPHAN, {"kind": inv.KIND_UPLOAD_CLONE, "image_id": "i-1"})
        self.assertIn("upload-to-image clone belongs to image i-1", texts.finding_text(finding))
        finding = inv.Finding(inv.NOT_READ_ONLY, {"available": False})
        self.assertIn("must be available", texts.finding_text(finding))

    def test_copy_state_comes_from_the_row_not_its_words(self):
        row = inv.ImageRow("i", {"id": "i"}, ["file"], copying=["lightbits"])
        failed = inv.ImageRow("j", {"id": "j"}, ["file"], copy_failed=["lightbits"])
        # Under the pseudo locale every word of ours is translated (so this
        # would fail if the state were read from the words), the state is not.
        with translation.override(pseudo.LANGUAGE):
            self.assertIn(pseudo.OURS[0], str(texts.copy_status(row)))
            self.assertEqual(tables._copy_state(row), "copying")
            self.assertEqual(tables._copy_state(failed), "failed")
        self.assertEqual(texts.copy_status(row), "copying to lightbits")
        self.assertEqual(tables._copy_state(inv.ImageRow("k", {}, [])), "")

    def test_cache_and_boot_volume_columns(self):
        row = inv.ImageRow("i", {"id": "i"}, ["lightbits"], cache=cache_view.FRESH)
        self.assertEqual(str(texts.cache_state(row)), "Fast clone (from cache)")
        row.cache = cache_view.STALE
        self.assertEqual(str(texts.cache_state(row)), "Copy: the cache entry is stale")
        row.cache = None
        self.assertEqual(texts.cache_state(row), "")
        finding = inv.Finding(inv.CACHE_ENTRY_STALE, {"image_id": "i-1", "updated_at": "T"})
        self.assertIn("Image i-1 was updated (T)", texts.finding_text(finding))
        row.boot = {"cloned": 2, "copied": 1, "unknown": 0}
        self.assertEqual(texts.boot_volumes(row), "2 cloned, 1 copied")
        self.assertEqual(texts.boot_counts(row), "2 / 1")
        row.boot["unknown"] = 3
        self.assertEqual(texts.boot_volumes(row), "2 cloned, 1 copied (3 unknown)")
