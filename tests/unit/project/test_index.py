"""Project > Compute > Lightbits Images: the table and its API call budget."""

from unittest import mock

from django.urls import reverse
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard.convert import record
from tests.unit import factories
from tests.unit.project.cells import not_one_line, row_cells

INDEX_URL = reverse("horizon:project:lightbits_images:index")
MOCKS = {
    api.glance: ("image_list_detailed",),
    api.cinder: ("volume_type_list", "volume_list"),
}


class LightbitsImagesIndexTests(test.TestCase):
    def _images(self, count):
        return [factories.image(name=f"img-{i:04d}") for i in range(count)]

    def _setup(self, images, more=False, prev=False):
        self.mock_image_list_detailed.return_value = (images, more, prev)
        self.mock_volume_type_list.return_value = [
            factories.volume_type("lightbits"),
            factories.volume_type("ceph"),
        ]
        self.mock_volume_list.return_value = []

    def _api_calls(self):
        return sum(
            m.call_count
            for m in (
                self.mock_image_list_detailed,
                self.mock_volume_type_list,
                self.mock_volume_list,
            )
        )

    @test.create_mocks(MOCKS)
    def test_only_lightbits_images_are_listed(self):
        on_lightbits = factories.image(name="on-lb")
        on_ssd = factories.image(name="on-ssd", stores="file,lightbits-ssd")
        by_location = factories.image(
            name="by-location",
            stores=None,
            locations=[{"url": "cinder://lightbits/0b2f", "metadata": {}}],
        )
        on_file = factories.image(name="on-file", stores="file")
        self._setup([on_lightbits, on_ssd, by_location, on_file])
        res = self.client.get(INDEX_URL)
        self.assertTemplateUsed(res, "horizon/common/_data_table_view.html")
        rows = res.context["table"].data
        self.assertEqual(["on-lb", "on-ssd", "by-location"], [r.name for r in rows])
        self.assertEqual(["lightbits", "lightbits-ssd", "lightbits"], [r.store for r in rows])
        self.mock_image_list_detailed.assert_called_once_with(
            test.IsHttpRequest(),
            marker=None,
            paginate=True,
            filters={},
            sort_dir="asc",
            sort_key="name",
            reversed_order=False,
        )

    @test.create_mocks(MOCKS)
    def test_clone_path_column_is_a_short_status_with_the_reasons_on_hover(self):
        fast = factories.image(name="fast")
        qcow = factories.image(name="qcow", disk_format="qcow2")
        # lightbits-ssd maps to a type this cloud does not have
        no_type = factories.image(name="notype", stores="lightbits-ssd")
        self._setup([fast, qcow, no_type])
        page = self.client.get(INDEX_URL).content.decode()
        status = {
            row_id: cells[-1][1] for row_id, cells in row_cells(page, "lightbits_images").items()
        }
        self.assertEqual(
            {fast.id: "Fast clone", qcow.id: "Copy: qcow2", no_type.id: "Copy"}, status
        )
        self.assertIn('title="image is qcow2/bare, not raw/bare">Copy: qcow2<', page)
        self.assertIn(
            'title="no Lightbits volume type for store lightbits-ssd exists in this cloud', page
        )

    @test.create_mocks(MOCKS)
    def test_every_row_is_one_line_and_the_members_caveat_is_said_once(self):
        """A member's view: the caveat every row shares (what it cannot check) is
        the column's help, not a note under each row's "Fast clone" (before: a
        second line of about 150 characters on every row)."""
        long_name = "an-image-name-without-any-space-" * 4
        converted = {record.CONVERTED_FROM: "src", record.SOURCE_VIRTUAL_SIZE: "1"}
        images = [
            factories.image(name=long_name, owner="another-project", virtual_size=0),
            factories.image(name="converted", **converted),
            factories.image(name="qcow", disk_format="qcow2"),
        ]
        self._setup(images)
        page = self.client.get(INDEX_URL).content.decode()
        self.assertEqual([], not_one_line(page, "lightbits_images"))
        self.assertEqual(1, page.count("A project member&#x27;s view cannot check every rule"))
        cells = row_cells(page, "lightbits_images")[images[0].id]
        self.assertEqual(long_name[:31] + "\u2026", cells[0][1])
        self.assertIn(f'title="{long_name}"', page)  # the whole name on hover
        self.assertIn("Unknown", page)
        self.assertNotIn("0 bytes", page)

    @test.create_mocks(MOCKS)
    def test_markup_in_names_is_escaped(self):
        self._setup([factories.image(name="<script>alert(1)</script>")])
        res = self.client.get(INDEX_URL)
        self.assertNotContains(res, "<script>alert(1)</script>")
        self.assertContains(res, "&lt;script&gt;alert(1)&lt;/script&gt;")

    @test.create_mocks(MOCKS)
    def test_api_calls_do_not_grow_with_the_number_of_images(self):
        counts = {}
        for n in (5, 500):
            for m in (
                self.mock_image_list_detailed,
                self.mock_volume_type_list,
                self.mock_volume_list,
            ):
                m.reset_mock()
            self._setup(self._images(n))
            with (
                mock.patch.object(api.glance, "image_get") as image_get,
                mock.patch.object(api.cinder, "volume_get") as volume_get,
            ):
                res = self.client.get(INDEX_URL)
                self.assertEqual(0, image_get.call_count + volume_get.call_count)
            self.assertEqual(n, len(res.context["table"].data))
            counts[n] = self._api_calls()
        self.assertEqual(counts[5], counts[500])
        self.assertEqual(3, counts[500])

    @test.create_mocks(MOCKS)
    def test_pagination_markers_go_to_glance(self):
        images = self._images(3)
        self._setup(images, more=True, prev=True)
        res = self.client.get(INDEX_URL + "?image_marker=abc")
        self.mock_image_list_detailed.assert_called_once_with(
            test.IsHttpRequest(),
            marker="abc",
            paginate=True,
            filters={},
            sort_dir="asc",
            sort_key="name",
            reversed_order=False,
        )
        self.assertContains(res, "image_marker=" + images[-1].id)
        self.assertContains(res, "prev_image_marker=" + images[0].id)

    @test.create_mocks(MOCKS)
    def test_previous_page_reverses_glance_order(self):
        self._setup(self._images(2))
        self.client.get(INDEX_URL + "?prev_image_marker=xyz")
        self.assertEqual("xyz", self.mock_image_list_detailed.call_args.kwargs["marker"])
        self.assertTrue(self.mock_image_list_detailed.call_args.kwargs["reversed_order"])

    @test.create_mocks(MOCKS)
    def test_server_side_filter_on_format(self):
        self._setup([])
        self.client.post(
            INDEX_URL,
            {
                "lightbits_images__filter__q": "qcow2",
                "lightbits_images__filter__q_field": "disk_format",
            },
        )
        self.client.get(INDEX_URL)
        self.assertEqual(
            {"disk_format": "qcow2"}, self.mock_image_list_detailed.call_args.kwargs["filters"]
        )

    @test.create_mocks(MOCKS)
    def test_glance_failure_is_handled(self):
        self.mock_image_list_detailed.side_effect = self.exceptions.glance
        res = self.client.get(INDEX_URL)
        self.assertEqual(200, res.status_code)
        self.assertEqual([], res.context["table"].data)
        self.assertMessageCount(res, error=1)

    @test.create_mocks(MOCKS)
    def test_markers_are_glance_page_bounds_even_without_lightbits_rows(self):
        first = factories.image(name="a-file", stores="file")
        last = factories.image(name="z-file", stores="file")
        self._setup([first, factories.image(name="m-lb"), last], more=True, prev=True)
        res = self.client.get(INDEX_URL + "?image_marker=abc")
        self.assertEqual(["m-lb"], [r.name for r in res.context["table"].data])
        self.assertContains(res, "image_marker=" + last.id)
        self.assertContains(res, "prev_image_marker=" + first.id)

        self._setup([first, last], more=True)
        res = self.client.get(INDEX_URL)
        self.assertEqual([], res.context["table"].data)
        self.assertContains(res, "image_marker=" + last.id)

    @test.create_mocks(MOCKS)
    def test_a_lightbits_backend_down_is_said_on_the_panel(self):
        from lightbits_dashboard.dashboards.project.lightbits_images import data

        self._setup(self._images(1))
        down = {"lightbits": "Cinder reports backend lb down"}
        with mock.patch.object(data, "backends_down", return_value=down):
            res = self.client.get(INDEX_URL)
        self.assertContains(
            res, "Volume type lightbits cannot take new volumes: Cinder reports backend lb down."
        )
        # no "Fast clone" for an image no boot volume can be made of now
        self.assertContains(res, ">Unavailable now<")
        self.assertNotContains(res, ">Fast clone<")
