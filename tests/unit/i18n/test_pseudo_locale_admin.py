"""Admin > Lightbits Image Volumes under the pseudo locale (see test_pseudo_locale):
inventory's finding codes, kinds and notes reach the page translated."""

from django.template.defaultfilters import truncatechars
from django.test import override_settings
from django.urls import reverse
from openstack_dashboard.test import helpers as test

from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import tables
from tests.unit.admin import test_views
from tests.unit.i18n import pseudo


@override_settings(CACHES=test_views.CACHES, LIGHTBITS_DASHBOARD=test_views.SETTINGS)
class AdminPseudoLocaleTests(pseudo.PseudoLocale, test_views._PanelTest):
    @test.create_mocks(test_views.LIST_MOCKS)
    def test_admin_index(self):
        self.maxDiff = None
        s, images, volumes, lbs = test_views.IndexTests.scenario(self)
        self.lists(images, volumes, lbs)
        res = self.get_pseudo(test_views.INDEX)
        data = _data(s, images, volumes, lbs)
        self.assert_translated(res, data)

    @test.create_mocks(test_views.LIST_MOCKS)
    def test_admin_image_detail(self):
        self.maxDiff = None
        s, images, volumes, lbs = test_views.IndexTests.scenario(self)
        self.lists(images, volumes, lbs)
        self.get_pseudo(test_views.INDEX)
        for image in ("writable", "healthy", "file_only"):
            res = self.get_pseudo(reverse(test_views.PANEL + "detail", args=[s[image].id]))
            self.assertEqual(res.status_code, 200)
            self.assert_translated(res, _data(s, images, volumes, lbs))


def _data(s, images, volumes, lbs):
    """What the pages show that is data, not words: names, ids, states (also
    cut short as the tables show them)."""
    data = {"lightbits", "file", "raw", "bare", "qcow2", "available", "True"}
    for obj in list(s.values()) + images + volumes:
        for attr in ("id", "name", "status", "owner", "volume_type", "stores"):
            value = getattr(obj, attr, None) if not isinstance(obj, dict) else obj.get(attr)
            if isinstance(value, str) and value:
                data.add(value)
    for volume in volumes:  # the image an image volume is of (the orphan's is gone)
        data |= {v for v in volume.metadata.values() if isinstance(v, str)}
    data |= {"cinder", "cluster-1", "cinder@lightbits#lightbits", "default", "internal"}
    for lb in lbs:  # the cluster's own words (states, names, flags) are data
        data |= {str(v) for v in _values(lb) if str(v)}
    lengths = (tables.NAME_LENGTH, tables.ID_LENGTH, tables.STATE_LENGTH)
    return data | {truncatechars(v, n) for v in data for n in lengths}


def _values(obj):
    if isinstance(obj, dict):
        for value in obj.values():
            yield from _values(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from _values(value)
    elif isinstance(obj, (str, bool)):
        yield str(obj).lower() if isinstance(obj, bool) else obj
