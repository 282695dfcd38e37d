"""The admin page over a cluster that pages its volume list as a real one
does (doc/source/reference/lightbits-api.md, "Delete + list": at most 1,000 volumes per
call, ``offsetUUID`` for the next page): every volume of 25,000 is seen."""

from openstack_dashboard.test import helpers as test

from lightbits_dashboard import inventory as inv
from tests.unit import factories
from tests.unit.admin import fakes
from tests.unit.admin.fake_cloud_http import PagedLightbits
from tests.unit.admin.test_views import INDEX, LIST_MOCKS, _PanelTest

LAST_UUID = "ffffffff-ffff-4fff-bfff-ffffffffffff"  # sorts onto the last page


class PagedClusterTests(_PanelTest):
    @test.create_mocks(LIST_MOCKS)
    def test_every_one_of_25000_volumes_is_seen_over_26_pages(self):
        image = factories.image(name="on-the-last-page")
        image_vol = factories.image_volume(image)
        lbs = [fakes.lb_volume(image_vol, UUID=LAST_UUID)]
        lbs += [
            fakes.lb_volume(
                factories.volume(), protection="Degraded" if i % 1000 == 0 else "FullyProtected"
            )
            for i in range(24999)
        ]
        session = PagedLightbits(fakes.cluster_body(lbs))
        self.lists([image], [image_vol], session=session)
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        [cluster] = res.context["clusters_table"].data
        self.assertEqual((cluster.volumes, cluster.degraded), (25000, 25))
        self.assertIn("25 Degraded", res.content.decode())
        # the image volume's Lightbits volume is on the last page: not missing
        self.assertEqual(self.counts(res)[inv.LIGHTBITS_MISSING], 0)
        self.assertEqual(session.volume_pages(), 26)  # 25 full pages, then an empty one
        offsets = [
            c[2]["params"].get("offsetUUID")
            for c in session.calls
            if c[1].endswith("/api/v2/volumes")
        ]
        self.assertEqual(offsets, [None] + [session.uuids[999 + 1000 * k] for k in range(25)])
