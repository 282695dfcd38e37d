"""Make fast-clonable on Project > Compute > Lightbits Images: the row action,
the form (preflight problems said, the conversion started) and the
Conversions page (rows from one volume list and one image list)."""

from types import SimpleNamespace
from unittest import mock

from django.core.cache import cache
from django.urls import reverse
from glanceclient import exc as glance_exc
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.convert import engine, record
from lightbits_dashboard.dashboards.project.lightbits_images import jobs
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    actions,
    checks,
    driver,
    failures,
    lock,
    rows,
)
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    texts as convert_messages,
)
from tests.unit import factories
from tests.unit.project.cells import not_one_line

INDEX_URL = reverse("horizon:project:lightbits_images:index")
CONVERSIONS_URL = reverse("horizon:project:lightbits_images:conversions")
IMAGE_ID = "11111111-2222-3333-4444-555555555555"
GIB = 1024**3


def qcow2(**fields):
    values = dict(name="cirros", id=IMAGE_ID, disk_format="qcow2", visibility="private")
    values.update(fields)
    return factories.image(owner=values.pop("owner", "1"), **values)


class ConvertPanelTests(test.TestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        shared_cache.clear_local()

    @test.create_mocks(
        {
            api.glance: ("image_list_detailed",),
            api.cinder: ("volume_type_list", "volume_list"),
        }
    )
    def test_row_action_only_on_own_images_that_are_not_raw(self):
        own, raw = qcow2(), factories.image(name="raw", owner="1")
        other = qcow2(id="other", name="other", owner="2")
        self.mock_image_list_detailed.return_value = ([own, raw, other], False, False)
        self.mock_volume_type_list.return_value = [factories.volume_type("lightbits")]
        self.mock_volume_list.return_value = []
        res = self.client.get(INDEX_URL)
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        self.assertContains(res, url)
        self.assertContains(res, "Make fast-clonable", count=1)
        self.assertContains(res, CONVERSIONS_URL)

    def _post_refused(self, url, data):
        """POSTs the form and checks that no conversion starts; the answer."""
        with mock.patch.object(driver, "start") as start:
            res = self.client.post(url, data)
        start.assert_not_called()
        return res

    def _form_mocks(self, image, types=None, volumes=(), usage=None, image_usage=None):
        self.mock_image_get.return_value = image
        self.mock_usage.return_value = image_usage or {}
        self.mock_volume_type_list.return_value = types or [factories.volume_type("lightbits")]
        self.mock_volume_list.return_value = list(volumes)
        self.mock_quota_usage.return_value = usage or {}

    MOCKS = {
        api.glance: ("image_get",),
        api.cinder: ("volume_type_list", "volume_list"),
        lb_cinder: ("quota_usage",),
        lb_glance: ("usage",),
    }

    @test.create_mocks(MOCKS)
    def test_form_shows_the_name_with_the_suffix_and_no_problem(self):
        self._form_mocks(qcow2())
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        res = self.client.get(url)
        self.assertTemplateUsed(res, "project/lightbits_images/convert.html")
        self.assertEqual("cirros-raw", res.context["form"].initial["new_name"])
        self.assertEqual([], res.context["problems"])
        # Glance without Keystone limits answers {}: said, not guessed
        self.assertEqual(1, len(res.context["notes"]))
        self.assertContains(res, "Glance quota cannot be checked")

    @test.create_mocks(MOCKS)
    def test_glance_quota_of_the_new_image_refuses_the_submit(self):
        full = {"image_count_total": {"limit": 3, "usage": 3}}
        self._form_mocks(qcow2(), image_usage=full)
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        res = self.client.get(url)
        self.assertEqual([], res.context["notes"])
        (problem,) = res.context["problems"]
        self.assertIn("Glance quota exceeded for image_count_total", str(problem))
        res = self._post_refused(url, {"new_name": "x"})
        self.assertContains(res, "Glance quota exceeded")

    @test.create_mocks(MOCKS)
    def test_preflight_problems_are_said_and_refuse_the_submit(self):
        self._form_mocks(
            qcow2(status="queued"),
            types=[factories.volume_type("ceph")],
            volumes=[factories.volume(f"lb-convert-{IMAGE_ID}")],
        )
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        res = self.client.get(url)
        problems = res.context["problems"]
        self.assertEqual(3, len(problems), problems)
        self.assertIn("not active (status queued)", str(problems[0]))
        self.assertIn("already running", str(problems[1]))
        self.assertIn("No Cinder volume type lightbits", str(problems[2]))
        res = self._post_refused(url, {"new_name": "x", "replace": "on"})
        self.assertContains(res, "already running")

    @test.create_mocks(MOCKS)
    def test_every_problem_of_another_projects_image_is_said_one_message_each(self):
        """cirros-raw (raw on Lightbits) and cirros-file (raw on the file store) of
        another project: the owner problem and the image's own, one message each."""
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        expected = {"lightbits": "already raw on Lightbits", "file": "not on Lightbits"}
        for store, said in expected.items():
            self._form_mocks(factories.image(id=IMAGE_ID, owner="admin", stores=store))
            problems = [str(p) for p in self.client.get(url).context["problems"]]
            self.assertEqual(2, len(problems), problems)
            self.assertIn("belongs to another project", problems[0])
            self.assertIn(said, problems[1])
            res = self._post_refused(url, {"new_name": "x"})
            self.assertContains(res, said)

    def test_one_conversion_per_image_across_users_projects_and_processes(self):
        """Two members of the project and an admin press Make fast-clonable on
        the same image within a second: one conversion starts, the others are
        refused with who converts it, as far as each may know."""
        src = mock.Mock(id=IMAGE_ID, store="lightbits", size=10, virtual_size=GIB, min_disk=0)
        src.name = "cirros"
        member1, member2 = _request("u1", "1"), _request("u2", "1")
        admin = _request("u9", "admin-project", superuser=True)
        with (
            mock.patch.object(driver, "LISTED_WAIT", 0),
            mock.patch.object(driver, "make_converter"),
            mock.patch.object(driver.runner, "start") as start,
        ):
            driver.start(member1, src, "cirros-raw", False)
            refusals = []
            for request in (member2, admin):
                with self.assertRaises(lock.Busy) as busy:
                    driver.start(request, src, "cirros-raw", False)
                refusals.append(str(convert_messages.problem_text(busy.exception.problem)))
            self.assertEqual(1, start.call_count)
            self.assertIn("being converted by another user of this project", refusals[0])
            self.assertIn("being converted by user-u1 in project project-1", refusals[1])
            # a member of another project is told no name
            held = lock.converting_by(_request("u5", "5"), src)
            self.assertEqual(("by_other_project", {}), held)
            # the lock goes when the conversion ends, however it ends
            _beat, _key, work, plan = start.call_args.args
            work(plan)
            driver.start(admin, src, "cirros-raw", False)
            self.assertEqual(2, start.call_count)

    @test.create_mocks(MOCKS)
    def test_a_conversion_running_elsewhere_refuses_the_form(self):
        self._form_mocks(qcow2())
        holder = lock.holder_of(_request("u7", "p7"), "c7")
        lock.image_lock().acquire(IMAGE_ID, holder)
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        (problem,) = self.client.get(url).context["problems"]
        self.assertIn("being converted by a user of another project", str(problem))
        res = self._post_refused(url, {"new_name": "x"})
        self.assertContains(res, "being converted by a user of another project")

    @test.create_mocks(MOCKS)
    def test_already_converted_holds_when_the_copy_is_in_another_project(self):
        """The source names a copy this project cannot see (Glance: 404): said,
        without its id."""
        source = qcow2(**{record.CONVERTED_TO: "hidden-copy"})
        self._form_mocks(source)
        hidden = glance_exc.HTTPNotFound()
        self.mock_image_get.side_effect = lambda request, image_id: (
            source if image_id == IMAGE_ID else _raise(hidden)
        )
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        (problem,) = self.client.get(url).context["problems"]
        self.assertIn("already converted, into an image this project cannot see", str(problem))
        self.assertNotIn("hidden-copy", str(problem))

    @test.create_mocks(MOCKS)
    def test_submit_starts_the_conversion_and_shows_the_conversions_page(self):
        self._form_mocks(qcow2())
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        with mock.patch.object(driver, "start") as start:
            res = self.client.post(url, {"image_id": "forged", "new_name": "c2", "replace": "on"})
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, CONVERSIONS_URL)
        src, name, replace = start.call_args.args[1:]
        self.assertEqual((IMAGE_ID, "c2", True), (src.id, name, replace))

    @test.create_mocks(MOCKS)
    def test_a_new_name_with_four_byte_characters_is_refused_before_anything_starts(self):
        self._form_mocks(qcow2())
        url = reverse("horizon:project:lightbits_images:convert", args=[IMAGE_ID])
        emoji = "\U0001f680"
        res = self._post_refused(url, {"new_name": f"c2{emoji}", "replace": "on"})
        self.assertIn(
            f"cannot store these characters (4-byte UTF-8, such as emoji): {emoji}",
            " ".join(res.context["form"].errors["new_name"]),
        )

    @test.create_mocks({api.cinder: ("volume_list",), api.glance: ("image_list_detailed",)})
    def test_conversions_page_rows_from_one_volume_list_and_one_image_list(self):
        running = record.ConversionRecord("c1", IMAGE_ID, "cirros", "cirros-raw", False)
        stale = running.with_(conversion_id="c2", stage=record.CONVERTING)
        done = running.with_(conversion_id="c3", stage=record.ACTIVE, route="clone")
        self.mock_volume_list.return_value = [
            factories.volume("lb-convert-a", metadata=record.encode(running)),
            factories.volume("lb-convert-b", metadata=record.encode(stale)),
            factories.volume("plain"),
            # an image volume Cinder cloned from a temporary volume: not a conversion
            factories.volume(
                "image-img-5", metadata=record.encode(stale.with_(conversion_id="c5"))
            ),
        ]
        props = record.new_image_properties(done)
        new = factories.image(id="img-3", name="cirros-raw", os_hash_value="abc", **props)
        self.mock_image_list_detailed.return_value = ([new], False, False)
        jobs.heartbeat().beat("c1")
        failed = running.with_(
            conversion_id="c4",
            stage=record.ERROR,
            failed_stage=record.COPYING,
            error="volume_error",
            reason="no space",
        )
        failures.ConversionLog().add("1", failed)
        res = self.client.get(CONVERSIONS_URL)
        rows = {r.id: r for r in res.context["table"].data}
        self.assertEqual(
            {"c1": "copying", "c2": "interrupted", "c3": "active", "c4": "error"},
            {k: r.state for k, r in rows.items()},
        )
        self.assertIn("Failed while Copying", str(rows["c4"].message))
        self.assertIn("no space", str(rows["c4"].message))
        self.assertIn("clone", str(rows["c3"].route))
        self.mock_volume_list.assert_called_once()
        self.mock_image_list_detailed.assert_called_once_with(
            test.IsHttpRequest(), filters={"owner": "1"}
        )
        self.assertContains(res, "Clean Up")
        # Finish is offered on the interrupted conversion only
        self.assertContains(res, "conversions__finish__c2")
        self.assertNotContains(res, "conversions__finish__c1")

    @test.create_mocks({api.cinder: ("volume_list",), api.glance: ("image_list_detailed",)})
    def test_every_row_is_one_line_long_values_cut_whole_on_hover(self):
        """Before: long names wrapped, the Interrupted and failure messages
        (up to some 300 characters) ran over several lines."""
        long_name = "an-image-name-without-any-space-" * 4
        stale = record.ConversionRecord("c2", IMAGE_ID, long_name, long_name + "-raw", False)
        stale = stale.with_(stage=record.CONVERTING)
        self.mock_volume_list.return_value = [
            factories.volume("lb-convert-b", metadata=record.encode(stale))
        ]
        self.mock_image_list_detailed.return_value = ([], False, False)
        page = self.client.get(CONVERSIONS_URL).content.decode()
        self.assertEqual([], not_one_line(page, "conversions"))
        self.assertIn(f'title="{long_name}"', page)
        self.assertIn('title="The conversion stopped before it was done', page)

    def test_finish_resumes_at_the_step_the_engine_chose_or_says_why_not(self):
        rec = record.ConversionRecord("c2", IMAGE_ID, "cirros", "cirros-raw", False)
        row = rows.ConversionRow(rec.with_(stage=record.COPYING), record.INTERRUPTED, "v1")
        request = _request("u1", "1")
        converter = mock.Mock()
        src = mock.Mock(id=IMAGE_ID, store="lightbits", size=10, virtual_size=1024**3, min_disk=0)
        with (
            mock.patch.object(rows, "conversion_row", return_value=row),
            mock.patch.object(checks, "source", return_value=src),
            mock.patch.object(driver, "make_converter", return_value=converter),
            mock.patch.object(driver.runner, "start") as start,
        ):
            converter.resume_point.return_value = (None, (engine.FINISH_UPLOAD_UNKNOWN, "x"))
            with self.assertRaisesRegex(ValueError, "which image is the new one"):
                actions.finish(request, "c2")
            start.assert_not_called()
            converter.resume_point.return_value = (engine.STEP_COPY, None)
            actions.finish(request, "c2")
            _beat, key, func, plan, volume_id, step = start.call_args.args
            self.assertEqual(("c2", "v1", engine.STEP_COPY), (key, volume_id, step))
            func(plan, volume_id, step)  # holds the image's lock while it runs
            converter.finish.assert_called_once_with(plan, "v1", engine.STEP_COPY)
            # another conversion of the image took the lock meanwhile: refused
            other = lock.holder_of(_request("u2", "1"), "c9")
            lock.image_lock().acquire(IMAGE_ID, other)
            with self.assertRaisesRegex(ValueError, "being converted by another user"):
                actions.finish(request, "c2")
            self.assertEqual((1, "lightbits"), (plan.volume_size, plan.volume_type))
            row.state = record.ACTIVE
            with self.assertRaisesRegex(ValueError, "Only an interrupted conversion"):
                actions.finish(request, "c2")


def test_an_interrupted_row_says_what_finish_and_clean_up_each_do():
    rec = record.ConversionRecord("c2", IMAGE_ID, "cirros", "cirros-raw", False)
    row = rows._rows("1", [_volume_with(rec.with_(stage=record.COPYING))], [])[0]
    assert row.state == record.INTERRUPTED
    message = str(row.message)
    assert "Finish resumes it from its recorded stage" in message
    assert "Clean Up deletes the temporary volume" in message
    assert "clean it up and convert again" not in message


def _volume_with(rec):
    return factories.volume(
        record.temporary_volume_name(rec.source_id), metadata=record.encode(rec)
    )


def _raise(exc):
    raise exc


def _request(user_id, project_id, superuser=False):
    user = SimpleNamespace(
        id=user_id,
        username=f"user-{user_id}",
        project_id=project_id,
        project_name=f"project-{project_id}",
        is_superuser=superuser,
    )
    return SimpleNamespace(user=user)
