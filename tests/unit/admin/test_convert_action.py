"""Make fast-clonable from the admin panel: any image (another project's, not
on Lightbits yet), the project panel's form with the owner rule off."""

from types import SimpleNamespace

from django.urls import reverse
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import inventory as inv
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import cached, convert, probe
from tests.unit import factories

IMAGE_ID = "11111111-2222-3333-4444-555555555555"


def test_allowed_on_any_active_image_that_does_not_fast_clone_yet():
    action = convert.AdminMakeFastClonable()
    row = lambda **f: SimpleNamespace(image=dict({"status": "active"}, **f))  # noqa: E731
    qcow2 = row(disk_format="qcow2", container_format="bare", stores="lightbits", owner="x")
    raw_file = row(disk_format="raw", container_format="bare", stores="file")
    raw_lb = row(disk_format="raw", container_format="bare", stores="lightbits")
    queued = row(status="queued", disk_format="qcow2", container_format="bare")
    allowed = [action.allowed(None, r) for r in (qcow2, raw_file, raw_lb, queued)]
    assert allowed == [True, True, False, False]


def test_row_actions_decide_the_same_on_a_cached_row():
    """The page's rows come from the cached inventory: its slim image keeps
    the stores the actions' model.lightbits_store reads."""
    image = {
        "id": IMAGE_ID,
        "status": "active",
        "disk_format": "raw",
        "container_format": "bare",
        "stores": "lightbits",
    }
    fresh = inv.ImageRow(IMAGE_ID, image, ["lightbits"])
    [row] = [cached.row_from_json("images", dict(cached.row_to_json(fresh), pos=0))]
    for datum in (fresh, row):
        assert probe.ProbeClonePath().allowed(None, datum)
        assert not convert.AdminMakeFastClonable().allowed(None, datum)


class AdminConvertTests(test.BaseAdminViewTests):
    @test.create_mocks(
        {
            api.glance: ("image_get",),
            api.cinder: ("volume_type_list", "volume_list"),
            lb_cinder: ("quota_usage",),
            lb_glance: ("usage",),
        }
    )
    def test_another_projects_file_image_passes_the_preflight(self):
        image = factories.image(
            id=IMAGE_ID, name="ubuntu", owner="other", stores="file", visibility="private"
        )
        self.mock_image_get.return_value = image
        self.mock_volume_type_list.return_value = [factories.volume_type("lightbits")]
        self.mock_volume_list.return_value = []
        self.mock_quota_usage.return_value = {}
        self.mock_usage.side_effect = RuntimeError("an older Glance: no /v2/info/usage")
        url = reverse(convert.URL, args=[IMAGE_ID])
        res = self.client.get(url)
        self.assertEqual([], res.context["problems"])
        self.assertEqual(1, len(res.context["notes"]))  # the image quota is not checked
        self.assertEqual("ubuntu-raw", res.context["form"].initial["new_name"])
        self.assertContains(res, url)
