"""collect.image_list_all reads Glance's JSON through the real glanceclient's
HTTP layer, page after page, visible and hidden images (fake_cloud_http)."""

from unittest import mock

import glanceclient
import requests
from openstack_dashboard.api import glance as horizon_glance
from openstack_dashboard.test import helpers as test

from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import collect
from tests.unit.admin.fake_cloud_http import FakeCloud


def _image(i, hidden=False):
    return {"id": f"{i:08d}-0000-4000-8000-000000000000", "name": f"i{i}", "os_hidden": hidden}


class RawListTests(test.BaseAdminViewTests):
    def test_every_image_over_pages_of_1000_hidden_ones_too(self):
        images = [_image(i) for i in range(2500)] + [_image(9000 + i, True) for i in range(3)]
        cloud = FakeCloud([], images, [], [], [], latency=0)

        def request(session, method, url, **kwargs):
            return cloud.request(method, url, **kwargs)

        client = glanceclient.Client("2", "http://public.glance.example.com:9292", token="t")
        with (
            mock.patch.object(requests.Session, "request", request),
            mock.patch.object(horizon_glance, "glanceclient", return_value=client),
        ):
            found = collect.image_list_all(self.request)
        self.assertEqual(sorted(i["id"] for i in found), sorted(i["id"] for i in images))
        self.assertEqual(cloud.calls["glance GET /v2/images"], 4)  # 3 pages + hidden
        self.assertIsInstance(found[0], dict)  # no glanceclient model
