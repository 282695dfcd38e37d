"""The admin page reads a cached whole-cloud inventory (cached.py): page
views after the first make no list call, actions and Refresh rebuild it, one
builder at a time (here in a background thread: a local-memory cache; the
child process is test_build_process.py) that no view waits for longer than
INVENTORY_BUILD_WAIT, and the page says how old it is."""

import json
import threading
import time
from unittest import mock

from django.urls import reverse
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import inventory as inv
from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import cinder_admin
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import cached, collect
from tests.unit import factories
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
        images = [factories.image(name=f"i{i:03d}") for i in range(n)]
        volumes = [
            factories.image_volume(img, readonly=i % 3 != 0) for i, img in enumerate(images)
        ]
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
        res = self.client.post(INDEX, {"action": "volumes__refresh"})
        self.assertRedirectsNoFollow(res, INDEX + "?tab=lightbits_inventory__volumes")
        self.assertEqual(self.list_calls(), 6)

    @test.create_mocks(MOCKS)
    def test_the_refresh_link_of_old_still_refreshes_then_drops_itself(self):
        self.cloud(3)
        self.client.get(INDEX)
        res = self.client.get(INDEX, {"refresh": "1", "finding": inv.NOT_READ_ONLY})
        self.assertEqual(self.list_calls(), 4)
        self.assertRedirectsNoFollow(
            res, INDEX + f"?finding={inv.NOT_READ_ONLY}&tab=lightbits_inventory__images"
        )
        self.client.get(INDEX, {"refresh": ""})  # not a refresh, as before
        self.assertEqual(self.list_calls(), 4)

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

    def another_builder(self, seconds_ago=7):
        lock = {"token": "another process", "started_at": time.time() - seconds_ago}
        shared_cache.get_cache().add(cached.LOCK, lock, 60)

    @test.create_mocks(MOCKS)
    def test_while_another_process_builds_the_first_one_the_page_says_so(self):
        self.cloud(3)
        self.another_builder(7)
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.list_calls(), 0)
        self.assertRegex(age_text(res), r"being built: .*>[78]</span> s so far")
        self.assertEqual(res.context["images_table"].data, [])
        self.assertIn("The inventory is being built", res.content.decode())  # empty table
        status = self.client.get(reverse(PANEL + "inventory_status")).json()
        self.assertEqual(status["generation"], "")
        self.assertIn(status["building_for"], (7, 8))

    @test.create_mocks(MOCKS)
    def test_while_another_process_rebuilds_the_previous_one_is_shown(self):
        self.cloud(3)
        self.client.get(INDEX)
        self.another_builder(3)
        with mock.patch.object(cached, "max_age", return_value=0):  # stale
            res = self.client.get(INDEX)
        self.assertEqual(self.list_calls(), 2)
        self.assertEqual(len(res.context["images_table"].data), 3)
        self.assertRegex(age_text(res), r"as of [0-9]+ s ago")
        self.assertRegex(age_text(res), r"A newer one is being built: .*>[34]</span> s so far")

    @test.create_mocks(MOCKS)
    def test_the_view_that_starts_a_build_does_not_wait_for_it(self):
        images, _volumes, _session = self.cloud(5)
        release = threading.Event()

        def slow_list(request):
            self.assertTrue(release.wait(30))
            return images

        self.mock_image_list_all.side_effect = slow_list
        status_url = reverse(PANEL + "inventory_status")
        settings = dict(self.settings_dict(), INVENTORY_BUILD_WAIT=0.2)
        with self.settings(LIGHTBITS_DASHBOARD=settings):
            start = time.monotonic()
            res = self.client.post(INDEX, {"action": "images__refresh"}, follow=True)
            took = time.monotonic() - start
            self.assertEqual(res.status_code, 200)
            self.assertLess(took, 5)
            self.assertEqual(res.context["images_table"].data, [])
            self.assertIn('data-state="building"', res.content.decode())
            self.assertIn(status_url, res.content.decode())  # the page polls it
            # A second view (another user, another process) starts no second build.
            self.client.get(INDEX)
            self.assertEqual(self.mock_image_list_all.call_count, 1)
            release.set()
            deadline = time.monotonic() + 30
            while self.client.get(status_url).json()["building_for"] is not None:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.05)
            status = self.client.get(status_url).json()
            self.assertTrue(status["generation"])
            res = self.client.get(INDEX)
        self.assertEqual(self.mock_image_list_all.call_count, 1)
        self.assertEqual(len(res.context["images_table"].data), 5)
        self.assertIn('data-state="ready"', res.content.decode())
        self.assertNotIn(status_url, res.content.decode())  # nothing to wait for

    @test.create_mocks(MOCKS)
    def test_a_failed_background_build_frees_the_lock_and_is_logged(self):
        self.cloud(3)
        with mock.patch.object(collect, "_build", side_effect=MemoryError("no room")):
            res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        self.assertIn('data-state="building"', res.content.decode())
        self.assertIsNone(shared_cache.get_cache().get(cached.LOCK))
        self.assertTrue(any("inventory build failed" in line for line in self.logs.records))
        res = self.client.get(INDEX)
        self.assertEqual(len(res.context["images_table"].data), 3)
        json.dumps(cached.status())  # the status is JSON

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
