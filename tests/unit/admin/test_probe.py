"""Admin "Probe clone path": the row action, the modal, and what it reports."""

from types import SimpleNamespace
from unittest import mock

from django.contrib.messages import get_messages
from django.test import override_settings
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import probe
from tests.unit import factories
from tests.unit.admin import fakes
from tests.unit.admin.test_views import INDEX, LIST_MOCKS, SETTINGS, _PanelTest

PROBE_MOCKS = {
    api.glance: ("image_get",),
    api.cinder: ("volume_type_list", "volume_create", "volume_delete"),
    lb_cinder: ("volume_get_raw",),
}


def statuses(*names):
    """volume_get_raw answers: the statuses in turn, then the last one (None: gone)."""
    answers = [SimpleNamespace(status=n) if n else None for n in names]
    return lambda request, volume_id: answers.pop(0) if len(answers) > 1 else answers[0]


@override_settings(LIGHTBITS_DASHBOARD=dict(SETTINGS, LAUNCH_POLL_INTERVAL=0))
class ProbeTests(_PanelTest):
    view = "probe"

    def _cloud(self, image):
        self.mock_image_get.return_value = image
        self.mock_volume_type_list.return_value = fakes.volume_types()
        self.mock_volume_create.return_value = SimpleNamespace(id="probe-vol")

    def _messages(self, res):
        return [str(m) for m in get_messages(res.wsgi_request)]

    @test.create_mocks(LIST_MOCKS)
    def test_the_row_action_is_offered_for_raw_lightbits_images_only(self):
        raw, qcow2 = (
            factories.image(name="raw-image"),
            factories.image(name="q", disk_format="qcow2"),
        )
        self.lists([raw, qcow2], [factories.image_volume(raw), factories.image_volume(qcow2)])
        content = self.client.get(INDEX).content.decode()
        self.assertIn(self.url(raw), content)
        self.assertNotIn(self.url(qcow2), content)

    @test.create_mocks(PROBE_MOCKS)
    def test_the_modal_offers_the_types_of_the_images_store(self):
        image = factories.image(stores="file,lightbits")
        self._cloud(image)
        res = self.client.get(self.url(image))
        self.assertTemplateUsed(res, "admin/lightbits_image_volumes/probe.html")
        choices = res.context["form"].fields["volume_type"].choices
        self.assertEqual([("lightbits", "lightbits")], choices)

    @test.create_mocks(PROBE_MOCKS)
    def test_a_clone_is_reported_and_the_volume_deleted(self):
        image = factories.image(virtual_size=16 * 1024**2, min_disk=0)
        self._cloud(image)
        self.mock_volume_get_raw.side_effect = statuses("creating", "available", "available")
        with mock.patch.object(probe.HorizonProbeOps, "lightbits_source", return_value=True):
            res = self.client.post(
                self.url(image), {"image_id": image.id, "volume_type": "lightbits"}
            )
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX)
        args = self.mock_volume_create.call_args
        self.assertEqual((1, "lightbits"), (args.args[1], args.args[4]))
        self.assertEqual(image.id, args.kwargs["image_id"])
        self.assertEqual({"lightbits_probe": image.id}, args.kwargs["metadata"])
        self.mock_volume_delete.assert_called_once_with(test.IsHttpRequest(), "probe-vol")
        (text,) = self._messages(res)
        self.assertIn("fast clone in", text)
        self.assertIn("has a source snapshot", text)

    @test.create_mocks(PROBE_MOCKS)
    def test_a_copy_is_reported_and_its_volume_deleted_once_made(self):
        image = factories.image()
        self._cloud(image)
        self.mock_volume_get_raw.side_effect = statuses(
            "creating", "downloading", "downloading", "available", None
        )
        with mock.patch.object(probe, "_in_background", lambda work: work()):
            res = self.client.post(
                self.url(image), {"image_id": image.id, "volume_type": "lightbits"}
            )
        self.assertNoFormErrors(res)
        texts = self._messages(res)
        self.assertIn("COPY, not a clone", texts[0])
        self.assertIn("allowed_direct_url_schemes", texts[0])
        self.assertIn("deleted as soon as Cinder lets it", texts[1])
        self.mock_volume_delete.assert_called_once_with(test.IsHttpRequest(), "probe-vol")

    @test.create_mocks(PROBE_MOCKS)
    def test_a_refused_create_is_said_and_nothing_is_left(self):
        image = factories.image()
        self._cloud(image)
        self.mock_volume_create.side_effect = RuntimeError("VolumeLimitExceeded")
        res = self.client.post(self.url(image), {"image_id": image.id, "volume_type": "lightbits"})
        (text,) = self._messages(res)
        self.assertIn("Cinder refused the probe volume: VolumeLimitExceeded", text)
        self.mock_volume_delete.assert_not_called()

    @test.create_mocks(PROBE_MOCKS)
    def test_a_type_of_another_store_is_refused(self):
        image = factories.image()
        self._cloud(image)
        res = self.client.post(self.url(image), {"image_id": image.id, "volume_type": "lvm"})
        self.assertFormErrors(res, 1)
        self.mock_volume_create.assert_not_called()

    @test.create_mocks(PROBE_MOCKS)
    def test_an_image_the_table_does_not_offer_is_refused_with_its_reasons(self):
        # A crafted URL: a qcow2 image on Lightbits, and one neither raw nor on Lightbits.
        for image, reasons in (
            (factories.image(disk_format="qcow2"), ["qcow2/bare, not raw/bare"]),
            (
                factories.image(disk_format="qcow2", stores="file", status="queued"),
                ["not active (status queued)", "qcow2/bare, not raw/bare", "no Lightbits store"],
            ),
        ):
            self._cloud(image)
            shown = self.client.get(self.url(image)).content.decode()
            res = self.client.post(
                self.url(image), {"image_id": image.id, "volume_type": "lightbits"}
            )
            errors = res.context["form"].non_field_errors()
            self.assertEqual(len(errors), len(reasons))
            for reason, error in zip(reasons, errors, strict=True):
                self.assertIn(reason, shown)
                self.assertIn(reason, error)
        self.mock_volume_create.assert_not_called()

    def test_lightbits_source_reads_the_volume_by_name_in_the_types_project(self):
        volume_type = SimpleNamespace(
            extra_specs={"volume_backend_name": "lightbits", "lightos:project_name": "p1"}
        )
        client = mock.Mock()
        client.request.return_value = {"name": "volume-v1", "sourceSnapshotUUID": "s-1"}
        with mock.patch.object(probe.lb_api, "client_for", return_value=client):
            self.assertTrue(probe.HorizonProbeOps(None, volume_type).lightbits_source("v1"))
        client.request.assert_called_once_with(
            "GET", "/projects/p1/volumes/", params={"name": "volume-v1"}
        )
        unknown = SimpleNamespace(extra_specs={"volume_backend_name": "lvm"})
        self.assertIsNone(probe.HorizonProbeOps(None, unknown).lightbits_source("v1"))
