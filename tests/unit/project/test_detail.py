"""The details view of a Lightbits image."""

from unittest import mock

from django.urls import reverse
from glanceclient import exc as glance_exc
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard.convert import record
from tests.unit import factories
from tests.unit.project.says import assert_says

MOCKS = {api.glance: ("image_get",), api.cinder: ("volume_type_list", "volume_list")}


def detail_url(image_id):
    return reverse("horizon:project:lightbits_images:detail", args=[image_id])


class LightbitsImageDetailTests(test.TestCase):
    def _setup(self, image, volumes=()):
        self.mock_image_get.return_value = image
        self.mock_volume_type_list.return_value = [factories.volume_type("lightbits")]
        self.mock_volume_list.return_value = list(volumes)

    @test.create_mocks(MOCKS)
    def test_shows_metadata_stores_clone_path_and_image_volume(self):
        image = factories.image(
            name="ubuntu",
            stores="file,lightbits",
            owner="other-project",
            hw_disk_bus="scsi",
            locations=[{"url": "cinder://lightbits/vol-42", "metadata": {}}],
        )
        image_volume = factories.volume(
            f"image-{image.id}", volume_id="vol-42", metadata={"image_owner": "other-project"}
        )
        self._setup(image, [factories.volume("unrelated"), image_volume])
        res = self.client.get(detail_url(image.id))
        self.assertTemplateUsed(res, "project/lightbits_images/detail.html")
        self.assertContains(res, "hw_disk_bus")
        self.assertContains(res, "file, lightbits")
        self.assertContains(res, '<dd class="clone-verdict">Fast clone</dd>', html=True)
        self.assertContains(res, "vol-42")
        self.assertContains(
            res, reverse("horizon:project:lightbits_images:launch", args=[image.id])
        )
        self.assertIs(res.context["image"].image_volume, image_volume)

    @test.create_mocks(MOCKS)
    def test_a_converted_image_shows_its_sources_virtual_size_and_says_what_its_size_is(self):
        converted = {
            record.CONVERTED_FROM: "src",
            record.SOURCE_VIRTUAL_SIZE: str(16 * 1024**2),
        }
        self._setup(factories.image(name="cirros-raw", size=1024**3, **converted))
        res = self.client.get(detail_url("x"))
        assert_says(
            self,
            res,
            "16.0\xa0MB",
            "the source image&#x27;s (Glance does not set it",
            "1.0\xa0GB",
            "the whole image volume",
            never=("Unknown",),
        )

    @test.create_mocks(MOCKS)
    def test_image_volume_found_by_name_and_owner_mismatch_is_copy(self):
        image = factories.image(name="ubuntu", owner="other-project")
        image_volume = factories.volume(f"image-{image.id}", metadata={"image_owner": "third"})
        self._setup(image, [image_volume])
        res = self.client.get(detail_url(image.id))
        self.assertContains(res, "image owned by another project")
        self.assertContains(res, '<dd class="clone-verdict">Copy</dd>', html=True)

    @test.create_mocks(MOCKS)
    def test_invisible_image_volume_says_so(self):
        image = factories.image(owner="other-project")
        self._setup(image)
        res = self.client.get(detail_url(image.id))
        assert_says(
            self,
            res,
            "not visible to this project",
            "cinder_store_project_name",
            "cannot check from this project&#x27;s view",
            never=("normally lives in Glance",),
        )

    @test.create_mocks(MOCKS)
    def test_launch_is_the_tables_row_action_with_its_checks(self):
        image = factories.image(name="ubuntu")
        self._setup(image)
        launch = reverse("horizon:project:lightbits_images:launch", args=[image.id])
        res = self.client.get(detail_url(image.id))
        self.assertContains(res, f'id="lightbits_images__row_{image.id}__action_launch"')
        self.assertContains(res, launch)
        # the action's own checks: no compute service, no Launch
        with mock.patch.object(api.base, "is_service_enabled", return_value=False):
            res = self.client.get(detail_url(image.id))
        self.assertNotContains(res, launch)
        # nor for an image that is not active
        self._setup(factories.image(name="queued", status="queued", id=image.id))
        res = self.client.get(detail_url(image.id))
        self.assertNotContains(res, launch)

    @test.create_mocks({api.glance: ("image_get",)})
    def test_unknown_image_is_404(self):
        self.mock_image_get.side_effect = glance_exc.HTTPNotFound("No image found")
        res = self.client.get(detail_url("no-such-image"))
        self.assertEqual(404, res.status_code)

    @test.create_mocks({api.glance: ("image_get",)})
    def test_image_not_on_lightbits_is_404(self):
        self.mock_image_get.return_value = factories.image(stores="file")
        res = self.client.get(detail_url("x"))
        self.assertEqual(404, res.status_code)

    @test.create_mocks(MOCKS)
    def test_markup_in_metadata_is_escaped(self):
        self._setup(factories.image(name="<b>bold</b>", note="<img src=x onerror=alert(1)>"))
        res = self.client.get(detail_url("x"))
        self.assertNotContains(res, "<img src=x")
        self.assertNotContains(res, "<b>bold</b>")
        # rendered, escaped (not merely absent)
        self.assertContains(res, "&lt;img src=x onerror=alert(1)&gt;")
        self.assertContains(res, "&lt;b&gt;bold&lt;/b&gt;")

    @test.create_mocks(MOCKS)
    def test_volume_types_unreadable_goes_back_with_a_message(self):
        image = factories.image(name="ubuntu")
        self._setup(image)
        self.mock_volume_type_list.side_effect = self.exceptions.cinder
        res = self.client.get(detail_url(image.id))
        self.assertRedirectsNoFollow(res, reverse("horizon:project:lightbits_images:index"))
        self.assertMessageCount(error=1)
