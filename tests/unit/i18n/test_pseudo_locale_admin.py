"""Admin > Lightbits Image Volumes under the pseudo locale (see test_pseudo_locale).

Expected to fail until the admin panel translates inventory's finding codes
(issue 13, the admin part): its finding labels and texts are English built
in the Django-free inventory.py. Remove ``expectedFailure`` then: an
unexpected success fails the suite, so it cannot be forgotten.
"""

import unittest

from django.test import override_settings
from openstack_dashboard.test import helpers as test

from tests.unit.admin import test_views
from tests.unit.i18n import pseudo


@override_settings(CACHES=test_views.CACHES, LIGHTBITS_DASHBOARD=test_views.SETTINGS)
class AdminPseudoLocaleTests(pseudo.PseudoLocale, test_views._PanelTest):
    @unittest.expectedFailure
    @test.create_mocks(test_views.LIST_MOCKS)
    def test_admin_index(self):
        s, images, volumes, lbs = test_views.IndexTests.scenario(self)
        self.lists(images, volumes, lbs)
        res = self.get_pseudo(test_views.INDEX)
        data = {"lightbits", "file", "raw", "bare", "qcow2", "available", "True"}
        for obj in list(s.values()) + images + volumes:
            for attr in ("id", "name", "status", "owner", "volume_type", "stores"):
                value = getattr(obj, attr, None) if not isinstance(obj, dict) else obj.get(attr)
                if isinstance(value, str) and value:
                    data.add(value)
        self.assert_translated(res, data)
