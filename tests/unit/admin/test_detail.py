"""Admin > Lightbits Image Volumes > an image's detail page: its tabs read
the cached inventory (no API call), its header has the images table's row
actions, its Findings tab the full texts and the fixes."""

import time

from django.contrib.messages import get_messages
from django.urls import reverse
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import shared_cache
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import cached
from tests.unit import factories
from tests.unit.admin import fakes, test_views
from tests.unit.admin.test_views import INDEX, LIST_MOCKS, PANEL, _PanelTest

MOCKS = dict(LIST_MOCKS)
MOCKS[api.cinder] = LIST_MOCKS[api.cinder] + ("volume_get",)
MOCKS[api.glance] = ("image_get",)


def detail(image_id):
    return reverse(PANEL + "detail", args=[image_id])


class DetailTests(_PanelTest):
    def api_calls(self, session):
        mocks = (
            self.mock_image_list_all,
            self.mock_store_list_detail,
            self.mock_volume_list,
            self.mock_volume_type_list,
            self.mock_tenant_list,
            self.mock_volume_get,
            self.mock_image_get,
        )
        return sum(m.call_count for m in mocks) + len(session.calls)

    @test.create_mocks(MOCKS)
    def test_tabs_actions_and_findings_of_an_image_at_no_api_call(self):
        s, images, volumes, lbs = test_views.IndexTests.scenario(self)
        session = self.lists(images, volumes, lbs)
        self.client.get(INDEX)  # builds the inventory
        before = self.api_calls(session)
        res = self.client.get(detail(s["writable"].id))
        self.assertEqual(self.api_calls(session), before)  # the cached inventory only
        self.assertEqual(res.status_code, 200)
        self.assertTemplateUsed(res, "horizon/common/_detail.html")
        content = res.content.decode()
        self.assertIn('<span class="h1 word-wrap">writable-image</span>', content)
        for tab in ("overview", "image_volume", "lightbits", "boot_volumes", "findings"):
            self.assertIn(f'data-target="#lightbits_image__{tab}"', content)
        lightbits = next(lb for lb in lbs if lb["name"] == "volume-" + s["writable_vol"].id)
        self.assertIn(lightbits["UUID"], content)
        self.assertIn("image-" + s["writable"].id, content)  # the image volume's name
        self.assertIn(reverse("horizon:admin:images:detail", args=[s["writable"].id]), content)
        # the finding's sentence and its fix, also in the header's row actions
        self.assertIn("anything attaching it can change the image&#x27;s data", content)
        fix = reverse(PANEL + "make_read_only", args=[s["writable_vol"].id])
        self.assertEqual(content.count(f'href="{fix}"'), 2)
        self.assertIn("__action_probe", content)
        self.assertNotRegex(content, r'<p [^>]*class="[^"]*help-block')  # Horizon hides them

    @test.create_mocks(MOCKS)
    def test_rows_across_stored_chunks_are_found_with_or_without_the_hint(self):
        images = [factories.image(name=f"i{i:03d}") for i in range(120)]
        twice = images[cached.CHUNK_ROWS - 1]  # two image volumes: rows 49 and 50
        volumes = [factories.image_volume(img) for img in images]
        second = factories.image_volume(twice, readonly=False)
        session = self.lists(images, volumes + [second], [fakes.lb_volume(v) for v in volumes])
        self.client.get(INDEX)
        for hint in (None, "49", "50", "3", "119", "-1", "9999", "x"):
            before = self.api_calls(session)
            url = detail(twice.id) + (f"?pos={hint}" if hint else "")
            res = self.client.get(url)
            self.assertEqual(res.status_code, 200, hint)
            self.assertEqual(self.api_calls(session), before)
            content = res.content.decode()
            for volume in (volumes[cached.CHUNK_ROWS - 1], second):
                self.assertIn(volume.id, content, hint)
            self.assertNotIn(volumes[cached.CHUNK_ROWS].id, content)  # the next image's
        res = self.client.get(detail(images[-1].id) + "?pos=0")
        self.assertIn(volumes[-1].id, res.content.decode())

    @test.create_mocks(MOCKS)
    def test_an_image_not_in_the_inventory_goes_back_to_the_index(self):
        s, images, volumes, lbs = test_views.IndexTests.scenario(self)
        self.lists(images, volumes, lbs)
        self.client.get(INDEX)
        res = self.client.get(detail(factories.uid()))
        self.assertRedirectsNoFollow(res, INDEX)
        [message] = [str(m) for m in get_messages(res.wsgi_request)]
        self.assertIn("is not in the inventory built", message)

    @test.create_mocks(MOCKS)
    def test_while_the_first_inventory_is_built_it_goes_back_to_the_index(self):
        s, images, volumes, lbs = test_views.IndexTests.scenario(self)
        self.lists(images, volumes, lbs)
        lock = {"token": "another process", "started_at": time.time()}
        shared_cache.get_cache().add(cached.LOCK, lock, 60)
        res = self.client.get(detail(s["healthy"].id))
        self.assertRedirectsNoFollow(res, INDEX)
        [message] = [str(m) for m in get_messages(res.wsgi_request)]
        self.assertIn("The inventory is being built", message)
        self.mock_image_list_all.assert_not_called()

    def test_bad_id_is_404(self):
        res = self.client.get(INDEX + "images/not-a-uuid/")
        self.assertEqual(res.status_code, 404)
