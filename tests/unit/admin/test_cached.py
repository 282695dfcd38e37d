"""The admin page reads a cached whole-cloud inventory (cached.py): page
views after the first make no list call, actions and Refresh rebuild it, one
request builds at a time, and the page says how old it is."""

import time
from unittest import mock

from django.urls import reverse
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import inventory as inv
from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import cinder_admin
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import cached
from tests.unit.admin import fakes
from tests.unit.admin.test_views import INDEX, LIST_MOCKS, PANEL, _PanelTest

MOCKS = dict(LIST_MOCKS)
MOCKS[api.cinder] = LIST_MOCKS[api.cinder] + ("volume_get",)
MOCKS[cinder_admin] = ("volume_set_readonly",)


def age_text(res):
    """The page's "as of N s ago" paragraph, whitespace collapsed."""
    content = res.content.decode()
    start = content.index('id="lightbits_inventory_age"')
    return " ".join(content[start : content.index("</p>", start)].split())


class CachedInventoryTests(_PanelTest):
    def cloud(self, n=30):
        images = [fakes.image(name=f"i{i:03d}") for i in range(n)]
        volumes = [fakes.image_volume(img, readonly=i % 3 != 0) for i, img in enumerate(images)]
        session = self.lists(images, volumes, [fakes.lb_volume(v) for v in volumes])
        return images, volumes, session

    def list_calls(self):
        return self.mock_image_list_all.call_count + self.mock_volume_list.call_count

    @test.create_mocks(MOCKS)
    def test_later_views_read_the_cache_and_page_through_the_whole_cloud(self):
        images, volumes, session = self.cloud(30)
        with self.settings(API_RESULT_PAGE_SIZE=20):
            first = self.client.get(INDEX)
            self.assertEqual(self.list_calls(), 2)
            table = first.context["images_table"]
            second = self.client.get(INDEX, {"images__marker": table.get_marker()})
        self.assertEqual(self.list_calls(), 2)  # no list call: the cached inventory
        self.assertEqual(len(session.calls), 3)
        shown = [r.id for r in table.data] + [r.id for r in second.context["images_table"].data]
        self.assertEqual(len(set(shown)), 30)
        # The counts cover the whole cloud, not the page.
        self.assertEqual(self.counts(second)[inv.NOT_READ_ONLY], 10)
        self.assertRegex(age_text(second), r"as of [0-9] s ago")

    @test.create_mocks(MOCKS)
    def test_older_than_the_max_age_or_refresh_rebuilds(self):
        self.cloud(3)
        self.client.get(INDEX)
        with mock.patch("time.time", return_value=time.time() + 40):
            res = self.client.get(INDEX)
        self.assertEqual(self.list_calls(), 2)
        self.assertRegex(age_text(res), r"as of 4[0-9] s ago")
        with self.settings(LIGHTBITS_DASHBOARD=dict(self.settings_dict(), INVENTORY_MAX_AGE=30)):
            with mock.patch("time.time", return_value=time.time() + 40):
                self.client.get(INDEX)
        self.assertEqual(self.list_calls(), 4)
        self.client.get(INDEX, {"refresh": "1"})
        self.assertEqual(self.list_calls(), 6)

    def settings_dict(self):
        from django.conf import settings

        return dict(settings.LIGHTBITS_DASHBOARD)

    @test.create_mocks(MOCKS)
    def test_an_action_invalidates_so_the_next_view_shows_its_effect(self):
        images, volumes, _session = self.cloud(3)
        writable = volumes[0]
        res = self.client.get(INDEX)
        self.assertEqual(self.counts(res)[inv.NOT_READ_ONLY], 1)
        self.mock_volume_get.return_value = writable
        url = reverse(PANEL + "make_read_only", args=[writable.id])
        self.client.post(url, {"volume_id": writable.id})
        writable._apiresource.metadata["readonly"] = "True"  # what Cinder now says
        res = self.client.get(INDEX)
        self.assertEqual(self.list_calls(), 4)  # rebuilt
        self.assertEqual(self.counts(res)[inv.NOT_READ_ONLY], 0)

    @test.create_mocks(MOCKS)
    def test_while_another_request_builds_the_first_one_the_page_says_so(self):
        self.cloud(3)
        shared_cache.get_cache().add(cached.LOCK, "another request", 60)
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.list_calls(), 0)
        self.assertIn("is being built by another request", age_text(res))
        self.assertEqual(res.context["images_table"].data, [])

    @test.create_mocks(MOCKS)
    def test_while_another_request_rebuilds_the_previous_one_is_shown(self):
        self.cloud(3)
        self.client.get(INDEX)
        shared_cache.get_cache().add(cached.LOCK, "another request", 60)
        with mock.patch.object(cached, "max_age", return_value=0):  # stale
            res = self.client.get(INDEX)
        self.assertEqual(self.list_calls(), 2)
        self.assertEqual(len(res.context["images_table"].data), 3)
        self.assertRegex(age_text(res), r"as of [0-9]+ s ago")

    @test.create_mocks(MOCKS)
    def test_pieces_stay_under_memcacheds_item_limit_and_a_lost_piece_rebuilds(self):
        self.cloud(120)
        with mock.patch.object(shared_cache, "PIECE_BYTES", 4096):
            self.client.get(INDEX)
        head = shared_cache.get_large(cached.KEY)
        self.assertEqual(head["sizes"]["images"], 120)
        chunk = cached._piece(head["generation"], "images", "c", 1)
        shared_cache.delete_large(chunk)
        with self.settings(API_RESULT_PAGE_SIZE=20):
            res = self.client.get(INDEX, {"images__marker": "59"})
        self.assertEqual([r.pos for r in res.context["images_table"].data], list(range(60, 80)))
        self.assertEqual(self.list_calls(), 4)  # rebuilt once


class PagePositionsTests(test.TestCase):
    def test_forward_back_and_bad_markers(self):
        positions = [1, 4, 5, 9, 12]
        self.assertEqual(cached.page_positions(positions, None, None, 2), ([1, 4], False, True))
        self.assertEqual(cached.page_positions(positions, "4", None, 2), ([5, 9], True, True))
        self.assertEqual(cached.page_positions(positions, "9", None, 2), ([12], True, False))
        self.assertEqual(cached.page_positions(positions, None, "12", 2), ([5, 9], True, True))
        self.assertEqual(cached.page_positions(positions, "x", None, 2), ([1, 4], False, True))
        self.assertEqual(cached.page_positions(range(100), "49", None, 3)[0], [50, 51, 52])
