"""A pseudo-translated locale built from the plugin's message catalog.

``build(directory)`` writes ``<directory>/eo/LC_MESSAGES/django.mo``: every
msgid of lightbits_dashboard/locale/django.pot becomes "⟦msgid⟧", and every
msgid of Horizon's own catalogs (its chrome) "⟪msgid⟫". ``untranslated``
finds the visible text of a page that is neither, apart from data.
"""

import html.parser
import pathlib
import re
import tempfile

import horizon
import openstack_dashboard
from babel.messages import mofile, pofile
from django.test import override_settings
from django.utils import translation

import lightbits_dashboard

LANGUAGE = "eo"  # a language Django knows; its catalog here is the pseudo one
ROOT = pathlib.Path(__file__).resolve().parents[3]
# The catalog of the package under test (a release run installs the wheel).
POT = pathlib.Path(lightbits_dashboard.__file__).parent / "locale" / "django.pot"
HORIZON_CATALOGS = [
    pathlib.Path(pkg.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
    for pkg in (horizon, openstack_dashboard)
]
OURS, THEIRS = ("\u27e6", "\u27e7"), ("\u27ea", "\u27eb")


def _wrap(marks, msgid):
    if isinstance(msgid, (tuple, list)):
        return tuple(f"{marks[0]}{m}{marks[1]}" for m in msgid)
    return f"{marks[0]}{msgid}{marks[1]}"


def build(directory):
    with open(POT, "rb") as f:
        catalog = pofile.read_po(f, locale=LANGUAGE)
    ours = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    for message in catalog:
        if message.id:
            message.string = _wrap(OURS, message.id)
    for path in HORIZON_CATALOGS:
        with open(path, "rb") as f:
            theirs = pofile.read_po(f, locale=LANGUAGE)
        for message in theirs:
            key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
            if message.id and key not in ours:
                ours.add(key)
                catalog.add(message.id, _wrap(THEIRS, message.id), context=message.context)
    out = pathlib.Path(directory) / LANGUAGE / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "django.mo", "wb") as f:
        mofile.write_mo(f, catalog, use_fuzzy=True)
    return len(catalog)


class _Visible(html.parser.HTMLParser):
    """Text nodes and the attributes a user reads, inside one element."""

    ATTRS = ("title", "placeholder", "alt", "aria-label", "data-content")

    def __init__(self, root_id):
        super().__init__(convert_charrefs=True)
        self.root_id, self.depth, self.skip = root_id, 0, 0
        self.texts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0 and (self.root_id is None or attrs.get("id") == self.root_id):
            self.depth = 1
        elif self.depth and tag not in VOID:
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1
        if self.depth:
            self._attrs(tag, attrs)
        if tag in VOID and self.depth == 1 and self.root_id is not None:
            pass

    def _attrs(self, tag, attrs):
        for name in self.ATTRS:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        if self.depth:
            self._attrs(tag, dict(attrs))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip and data.strip():
            self.texts.append(data.strip())


VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
_WRAPPED = re.compile(r"\u27e6[^\u27e6\u27e7]*\u27e7|\u27ea[^\u27ea\u27eb]*\u27eb")
# Data: ids, numbers with their unit, sizes.
_DATA = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|\d+(?:[.,]\d+)?\s*\w*")
_WORD = re.compile(r"[^\W\d_]{2,}")


def visible_texts(page, root_id=None):
    parser = _Visible(root_id)
    parser.feed(page)
    return parser.texts


def leftover(text, data=()):
    """What remains of ``text`` once translated parts and data are removed."""
    previous = None
    while previous != text:
        previous, text = text, _WRAPPED.sub(" ", text)
    for token in sorted(data, key=len, reverse=True):
        text = text.replace(token, " ")
    return _DATA.sub(" ", text)


def untranslated(page, data=(), root_id=None):
    """The visible texts of ``page`` (inside the element ``root_id``) that
    hold words that are neither translated nor data."""
    texts = visible_texts(page, root_id)
    return [t for t in texts if not _cut_of(t, texts) and _WORD.search(leftover(t, data))]


def _cut_of(text, texts):
    """A cell's text cut to one line ("…", Horizon's truncate): its whole is
    another visible text (the cell's title), checked on its own."""
    head = text[:-1].rstrip()
    return text.endswith("…") and any(t != text and t.startswith(head) for t in texts)


def translated(page, root_id=None):
    """How many visible texts carry the plugin's markers (the page is pseudo-translated)."""
    return sum(OURS[0] in t for t in visible_texts(page, root_id))


class PseudoLocale:
    """A TestCase mixin: the pseudo locale is built once per class and served
    to requests that ask for it (``check``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._pseudo_dir = tempfile.TemporaryDirectory()
        cls.catalog_size = build(cls._pseudo_dir.name)
        cls._pseudo_settings = override_settings(
            LOCALE_PATHS=[cls._pseudo_dir.name],
            LANGUAGES=[("en", "English"), (LANGUAGE, "Pseudo")],
        )
        cls._pseudo_settings.enable()

    @classmethod
    def tearDownClass(cls):
        cls._pseudo_settings.disable()
        cls._pseudo_dir.cleanup()
        translation.activate("en")
        super().tearDownClass()

    def get_pseudo(self, url, ajax=False):
        headers = {"HTTP_ACCEPT_LANGUAGE": LANGUAGE}
        if ajax:
            headers["HTTP_X_REQUESTED_WITH"] = "XMLHttpRequest"
        res = self.client.get(url, **headers)
        translation.activate("en")
        return res

    def assert_translated(self, res, data, root_id="main_content"):
        """Every visible text under ``root_id`` (the whole answer when None)
        is translated or data."""
        self.assertEqual(200, res.status_code)
        page = res.content.decode()
        self.assertGreater(translated(page, root_id), 3, "the pseudo locale is not active")
        self.assertEqual([], untranslated(page, data, root_id))
        return page
