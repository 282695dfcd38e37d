"""The Launches table: rows from one volume list + one server list, states,
ajax row updates and the Finish / Clean up / Dismiss actions."""

import re
import tempfile
from unittest import mock

from django.core.cache import cache, caches
from django.test import override_settings
from django.urls import reverse
from novaclient import exceptions as nova_exc
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.dashboards.project.lightbits_images import jobs
from lightbits_dashboard.dashboards.project.lightbits_images.launches.failures import (
    LaunchFailureLog,
)
from lightbits_dashboard.launch import orchestrator, record, runner
from lightbits_dashboard.message import msg
from tests.unit import factories
from tests.unit.english import english
from tests.unit.project.cells import not_one_line
from tests.unit.project.says import assert_says

LAUNCHES_URL = reverse("horizon:project:lightbits_images:launches")
MOCKS = {api.cinder: ("volume_list_paged",), api.nova: ("server_list",)}
SPEC = record.ServerSpec(flavor="f1", networks=("n1",), user_data="#!/bin/sh")
DENIED = set()


def deny_listed(rules, request, target=None):
    """POLICY_CHECK_FUNCTION for tests: refuses the rules in DENIED."""
    return not any(rule in DENIED for rule in rules)


def launch_volume(server_name, state, launch_id="L1", index=1, count=1, name="vm", **extra):
    rec = record.LaunchRecord(
        launch_id, name, index, count, server_name, "img-1", state, SPEC, **extra
    )
    status = {"cloning": "creating"}.get(state, "in-use")
    return factories.volume(f"{server_name}-boot", status=status, metadata=record.encode(rec))


class LaunchesTableTests(test.TestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        shared_cache.clear_local()

    def _server(self, server_id, status, fault=None):
        return factories.server(server_id, status, fault)

    def _rows(self, res):
        return {row.server_name: row for row in res.context["table"].data}

    @test.create_mocks(MOCKS)
    def test_paged_as_horizons_volumes_page_failures_on_the_first_page_only(self):
        first = launch_volume("vm-1", "active", count=2, index=1, server_id="s1")
        second = launch_volume("vm-2", "active", count=2, index=2, server_id="s2")
        LaunchFailureLog().add("1", orchestrator.Outcome(self._rec(3), False, error="e"), "e")
        self.mock_volume_list_paged.return_value = ([first], True, False)
        self.mock_server_list.return_value = ([], False)
        res = self.client.get(LAUNCHES_URL)
        table = res.context["table"]
        self.assertEqual(["failed-L1-3", first.id], [r.id for r in table.data])
        self.assertTrue(table.has_more_data())
        self.assertEqual(first.id, table.get_marker())  # a volume id, never a failure row's
        self.assertContains(res, "?marker=" + first.id)
        self.mock_server_list.assert_called_with(
            test.IsHttpRequest(), search_opts={"name": "^vm\\-1$", "limit": 2}
        )

        self.mock_volume_list_paged.return_value = ([second], False, True)
        res = self.client.get(LAUNCHES_URL, {"marker": first.id})
        self.assertEqual([second.id], [r.id for r in res.context["table"].data])
        self.assertEqual(first.id, self.mock_volume_list_paged.call_args.kwargs["marker"])
        res = self.client.get(LAUNCHES_URL, {"prev_marker": second.id})
        kwargs = self.mock_volume_list_paged.call_args.kwargs
        self.assertEqual((second.id, "asc"), (kwargs["marker"], kwargs["sort_dir"]))

    @test.create_mocks(MOCKS)
    def test_states_from_one_volume_list_and_one_server_list(self):
        cloning = launch_volume("vm-1", "cloning", count=3, index=1)
        booting = launch_volume("vm-2", "booting", count=3, index=2, server_id="s2")
        active = launch_volume("vm-3", "active", count=3, index=3, server_id="s3")
        plain = factories.volume("not-a-launch")
        self.mock_volume_list_paged.return_value = (
            [plain, active, booting, cloning],
            False,
            False,
        )
        self.mock_server_list.return_value = (
            [self._server("s2", "BUILD"), self._server("s3", "ACTIVE")],
            False,
        )
        jobs.heartbeat().beat("L1")
        res = self.client.get(LAUNCHES_URL)
        rows = self._rows(res)
        # Cinder's order (newest first, as Horizon's Volumes page): the table pages by it.
        self.assertEqual(
            ["vm-3", "vm-2", "vm-1"], [r.server_name for r in res.context["table"].data]
        )
        self.assertEqual(
            {"vm-1": "cloning", "vm-2": "booting", "vm-3": "active"},
            {name: row.state for name, row in rows.items()},
        )
        self.assertContains(res, "Cloning boot volume")
        self.assertContains(res, reverse("horizon:project:lightbits_images:launch_any"))
        self.mock_volume_list_paged.assert_called_once_with(
            test.IsHttpRequest(),
            search_opts={"metadata": {"lightbits_launch_mark": "1"}},
            marker=None,
            paginate=True,
            sort_dir="desc",
        )
        self.mock_server_list.assert_called_once_with(
            test.IsHttpRequest(), search_opts={"name": mock.ANY, "limit": 6}
        )
        # rows still in progress are polled (Horizon polls rows marked "warning")
        self.assertContains(res, 'class="ajax-update warning"', count=2)

    @test.create_mocks(MOCKS)
    def test_boot_volume_and_server_link_to_horizons_pages(self):
        active = launch_volume("vm-1", "active", count=3, server_id="s1")
        deleted = launch_volume("vm-3", "active", count=3, index=3, server_id="s3")
        LaunchFailureLog().add("1", orchestrator.Outcome(self._rec(2), False, error="e"), "e")
        self.mock_volume_list_paged.return_value = ([active, deleted], False, False)
        self.mock_server_list.return_value = ([self._server("s1", "ACTIVE")], False)
        res = self.client.get(LAUNCHES_URL)
        table = re.search(r'<table id="launches".*</table>', res.content.decode(), re.S).group(0)
        volume_url = reverse("horizon:project:volumes:detail", args=[active.id])
        server_url = reverse("horizon:project:instances:detail", args=["s1"])
        for url, text in ((volume_url, "in-use"), (server_url, "ACTIVE")):
            self.assertRegex(table, rf'<a href="{re.escape(url)}"[^>]*>\s*{text}\s*</a>')
        # the rolled-back instance's row: nothing left to link to; vm-3's
        # server is gone (deleted in Nova): its volume only
        self.assertEqual(3, table.count("<a href="))
        self.assertNotIn(reverse("horizon:project:instances:detail", args=["s3"]), table)

    def test_liveness_survives_a_culled_cache(self):
        beat = jobs.heartbeat()
        beat.beat("L1")
        # what the compressor puts into Horizon's local-memory cache (300 entries)
        cache.set_many({f"compressor-{i}": "x" for i in range(1000)}, 60)
        cache.clear()
        self.assertEqual({"L1"}, beat.alive(["L1", "L2"]))
        shared_cache.clear_local()  # another Horizon process, local memory
        self.assertEqual(set(), beat.alive(["L1", "L2"]))

    def test_liveness_and_failure_log_are_shared_through_a_shared_cache(self):
        with (
            tempfile.TemporaryDirectory() as tmp,
            self.settings(
                CACHES={
                    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                    "lightbits_dashboard": {
                        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": tmp,
                    },
                }
            ),
        ):
            jobs.heartbeat().beat("L1")
            shared_cache.clear_local()
            self.assertEqual({"L1"}, jobs.heartbeat().alive(["L1", "L2"]))
            key = "lightbits-launch-failed:p1"
            shared_cache.get_cache().set(key, {"row": 1}, 60)
            self.assertEqual({"row": 1}, caches["lightbits_dashboard"].get(key))

    @test.create_mocks(MOCKS)
    def test_launch_without_a_live_driver_is_interrupted(self):
        self.mock_volume_list_paged.return_value = ([launch_volume("vm", "cloning")], False, False)
        self.mock_server_list.return_value = ([], False)
        res = self.client.get(LAUNCHES_URL)
        (row,) = res.context["table"].data
        self.assertEqual("interrupted", row.state)
        assert_says(self, res, "Interrupted", "Finish Launch", "Clean Up", never=("Dismiss",))

    @test.create_mocks(MOCKS)
    def test_server_error_shows_novas_fault(self):
        volume = launch_volume("vm", "booting", server_id="s1")
        self.mock_volume_list_paged.return_value = ([volume], False, False)
        fault = {"message": "No valid host was found.", "code": 500}
        self.mock_server_list.return_value = ([self._server("s1", "ERROR", fault)], False)
        jobs.heartbeat().beat("L1")
        res = self.client.get(LAUNCHES_URL)
        (row,) = res.context["table"].data
        self.assertEqual(("error", "No valid host was found."), (row.state, english(row.message)))

    @test.create_mocks(MOCKS)
    def test_rolled_back_instances_stay_visible_from_the_failure_log(self):
        self.mock_volume_list_paged.return_value = (
            [launch_volume("vm-1", "active", count=2)],
            False,
            False,
        )
        self.mock_server_list.return_value = ([], False)
        rec = record.LaunchRecord("L1", "vm", 2, 2, "vm-2", "img-1", record.CLONING, SPEC)
        outcome = orchestrator.Outcome(rec, False, error="boot volume vm-2-boot went to error: x")
        LaunchFailureLog().add("1", outcome, "1 of 2 launched; vm-2 failed: x")
        res = self.client.get(LAUNCHES_URL)
        rows = self._rows(res)
        self.assertEqual("error", rows["vm-2"].state)
        self.assertEqual("1 of 2 launched; vm-2 failed: x", english(rows["vm-2"].message))

    @test.create_mocks(MOCKS)
    def test_a_summary_cut_to_fit_the_metadata_is_shown_whole_from_the_rows(self):
        reason = msg("server_refused", error="no host " * 30)
        outcomes = [orchestrator.Outcome(self._rec(1), True)] + [
            orchestrator.Outcome(self._rec(i), False, error=reason) for i in (2, 3)
        ]
        summary = orchestrator.summarize(outcomes)
        stored = record.read_message(record.encode_message(summary))
        self.assertFalse(record.was_cut(summary))
        self.assertTrue(stored != summary and record.was_cut(stored))
        active = launch_volume("vm-1", "active", count=3, message=summary)
        self.assertEqual(stored, record.decode(active.metadata).message)  # what fits
        self.mock_volume_list_paged.return_value = ([active], False, False)
        self.mock_server_list.return_value = ([], False)
        for outcome in outcomes[1:]:
            LaunchFailureLog().add("1", outcome, summary)
        rows = self._rows(self.client.get(LAUNCHES_URL))
        self.assertEqual(summary, rows["vm-1"].message)  # the rest, from the rows
        self.assertEqual(summary, rows["vm-3"].message)
        # with an instance's row dismissed the rows cannot rebuild it: what fits
        LaunchFailureLog().remove("1", LaunchFailureLog.row_id(self._rec(3)))
        rows = self._rows(self.client.get(LAUNCHES_URL))
        self.assertEqual(stored, rows["vm-1"].message)

    @staticmethod
    def _rec(index):
        return record.LaunchRecord("L1", "vm", index, 3, f"vm-{index}", "img-1", "cloning", SPEC)

    @test.create_mocks(MOCKS)
    def test_every_row_is_one_line_long_values_cut_whole_on_hover(self):
        """Before: long names wrapped over several lines (word-break), an
        unexpected copy's warning was a list under "Copied", messages ran
        whole over as many lines as they took."""
        long_name = "a-launch-name-without-any-space-" * 4
        long_message = msg("volume_refused", error="no valid backend " * 8)
        volumes = [
            launch_volume(f"{long_name}-1", "active", name=long_name),
            launch_volume("vm-2", "active", made="copy", made_seconds=8.0, expected="clone"),
            launch_volume("vm-3", "error", launch_id="L3", message=long_message),
        ]
        self.mock_volume_list_paged.return_value = (volumes, False, False)
        self.mock_server_list.return_value = ([], False)
        page = self.client.get(LAUNCHES_URL).content.decode()
        self.assertEqual([], not_one_line(page, "launches"))
        for text in (long_name, f"{long_name}-1"):
            self.assertIn(f'title="{text}"', page)  # the whole name on hover
        self.assertIn('title="Cinder refused the boot volume: no valid backend', page)
        self.assertIn('title="Warning: the clone path said Fast clone', page)

    @test.create_mocks(MOCKS)
    def test_markup_in_names_and_messages_is_escaped(self):
        cinder_says = msg("volume_refused", error="<script>alert(1)</script>")
        volume = launch_volume("<b>vm</b>", "error", message=cinder_says)
        self.mock_volume_list_paged.return_value = ([volume], False, False)
        self.mock_server_list.return_value = ([], False)
        res = self.client.get(LAUNCHES_URL)
        assert_says(
            self,
            res,
            "&lt;b&gt;vm&lt;/b&gt;",
            "Cinder refused the boot volume: &lt;script&gt;",
            never=("<script>alert(1)</script>", "<b>vm</b>"),
        )

    @test.create_mocks({lb_cinder: ("volume_get_raw",), api.nova: ("server_get",)})
    def test_ajax_row_update(self):
        volume = launch_volume("vm", "booting", server_id="s1")
        self.mock_volume_get_raw.return_value = volume._apiresource
        self.mock_server_get.return_value = self._server("s1", "ACTIVE")
        jobs.heartbeat().beat("L1")
        url = LAUNCHES_URL + "?action=row_update&table=launches&obj_id=" + volume.id
        res = self.client.get(url, {}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(200, res.status_code)
        self.assertContains(res, "Booting")
        self.assertContains(res, "ACTIVE")
        self.mock_server_get.assert_called_once_with(test.IsHttpRequest(), "s1")

    @test.create_mocks({lb_cinder: ("volume_get_raw",), api.nova: ("server_get",)})
    def test_ajax_row_update_of_a_deleted_server(self):
        volume = launch_volume("vm", "booting", server_id="s1")
        self.mock_volume_get_raw.return_value = volume._apiresource
        self.mock_server_get.side_effect = nova_exc.NotFound(404)
        url = LAUNCHES_URL + "?action=row_update&table=launches&obj_id=" + volume.id
        res = self.client.get(url, {}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(200, res.status_code)
        self.assertContains(res, "Interrupted")

    @test.create_mocks({lb_cinder: ("volume_get_raw",)})
    def test_ajax_row_update_of_a_rolled_back_volume_shows_its_failure(self):
        rec = record.LaunchRecord("L1", "vm", 1, 1, "vm", "img-1", record.CLONING, SPEC)
        error = "boot volume vm-boot went to error: No valid backend"
        outcome = orchestrator.Outcome(rec, False, volume_id="vol-1", error=error)
        LaunchFailureLog().add("1", outcome, error)
        self.mock_volume_get_raw.return_value = None  # rolled back: gone
        url = LAUNCHES_URL + "?action=row_update&table=launches&obj_id=vol-1"
        res = self.client.get(url, {}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(200, res.status_code)
        self.assertContains(res, error)
        self.assertContains(res, "failed-L1-1")

    @test.create_mocks(MOCKS)
    def test_a_volume_being_rolled_back_is_listed_once(self):
        volume = launch_volume("vm", "cloning")
        self.mock_volume_list_paged.return_value = ([volume], False, False)
        self.mock_server_list.return_value = ([], False)
        rec = record.decode(volume.metadata)
        outcome = orchestrator.Outcome(rec, False, volume_id=volume.id, error="e")
        LaunchFailureLog().add("1", outcome, "e")
        res = self.client.get(LAUNCHES_URL)
        self.assertEqual([volume.id], [row.id for row in res.context["table"].data])

    @test.create_mocks({lb_cinder: ("volume_get_raw",)})
    def test_ajax_row_update_of_a_vanished_volume_is_404(self):
        self.mock_volume_get_raw.return_value = None
        url = LAUNCHES_URL + "?action=row_update&table=launches&obj_id=gone"
        res = self.client.get(url, {}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(404, res.status_code)

    def test_ajax_row_update_without_a_row_id_is_404(self):
        url = LAUNCHES_URL + "?action=row_update&table=launches"
        res = self.client.get(url, {}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(404, res.status_code)

    def _post_action(self, action, volume):
        with (
            mock.patch.object(lb_cinder, "volume_get_raw", return_value=volume._apiresource),
            mock.patch.object(
                api.cinder, "volume_list_paged", return_value=([volume], False, False)
            ),
            mock.patch.object(api.nova, "server_list", return_value=([], False)),
            mock.patch.object(api.nova, "server_get", return_value=factories.server("s")),
            mock.patch.object(runner, "start") as start,
        ):
            res = self.client.post(LAUNCHES_URL, {"action": f"launches__{action}__{volume.id}"})
        return res, start

    def test_finish_re_drives_an_interrupted_instance(self):
        volume = launch_volume("vm", "cloning")
        res, start = self._post_action("finish", volume)
        self.assertRedirectsNoFollow(res, LAUNCHES_URL)
        start.assert_called_once()
        _beat, key, work, rec, volume_id = start.call_args.args
        self.assertEqual((volume.id, volume.id), (key, volume_id))
        self.assertEqual("finish", work.__name__)
        self.assertEqual(("vm", SPEC), (rec.server_name, rec.spec))

    def test_finish_is_refused_while_the_driver_lives(self):
        volume = launch_volume("vm", "cloning")
        jobs.heartbeat().beat("L1")
        res, start = self._post_action("finish", volume)
        start.assert_not_called()
        self.assertEqual(302, res.status_code)

    def test_clean_up_deletes_what_the_launch_made(self):
        volume = launch_volume("vm", "booting", server_id="s9")
        res, start = self._post_action("clean_up", volume)
        start.assert_called_once()
        self.assertEqual("clean_up", start.call_args.args[2].__name__)
        self.assertEqual("s9", start.call_args.args[3].server_id)

    def test_another_projects_launch_cannot_be_acted_on(self):
        """An admin's token reads any volume by id: a forged row id of another
        project's boot volume is neither shown, finished nor cleaned up."""
        rec = record.LaunchRecord("L1", "vm", 1, 1, "vm", "img-1", record.BOOTING, SPEC, "s9")
        theirs = factories.volume(
            "vm-boot", metadata=record.encode(rec), **{"os-vol-tenant-attr:tenant_id": "2"}
        )
        for action in ("finish", "clean_up", "dismiss"):
            with mock.patch.object(api.cinder, "volume_delete_metadata") as delete_metadata:
                res, start = self._post_action(action, theirs)
            self.assertEqual(302, res.status_code)
            start.assert_not_called()
            delete_metadata.assert_not_called()
            msgs = [str(m) for m in res.wsgi_request._messages]
            self.assertTrue(msgs, f"{action}: refused without a message")
            self.assertIn("not a launch of this project", " ".join(msgs))
        with mock.patch.object(lb_cinder, "volume_get_raw", return_value=theirs._apiresource):
            url = LAUNCHES_URL + "?action=row_update&table=launches&obj_id=" + theirs.id
            res = self.client.get(url, {}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(404, res.status_code)

    def test_dismiss_removes_only_the_launch_metadata(self):
        volume = launch_volume("vm", "active", server_id="s1")
        volume.metadata["owner_note"] = "keep"
        with mock.patch.object(api.cinder, "volume_delete_metadata") as delete_metadata:
            res, start = self._post_action("dismiss", volume)
        self.assertRedirectsNoFollow(res, LAUNCHES_URL)
        (_req, volume_id, keys), _kw = delete_metadata.call_args
        self.assertEqual(volume.id, volume_id)
        self.assertIn("lightbits_launch_id", keys)
        self.assertNotIn("owner_note", keys)
        self.assertTrue(all(k.startswith("lightbits_launch_") for k in keys))
        start.assert_not_called()

    @test.create_mocks(MOCKS)
    def test_dismiss_a_rolled_back_row(self):
        rec = record.LaunchRecord("L1", "vm", 1, 1, "vm", "img-1", record.CLONING, SPEC)
        LaunchFailureLog().add("1", orchestrator.Outcome(rec, False, error="e"), "e")
        self.mock_volume_list_paged.return_value = ([], False, False)
        self.mock_server_list.return_value = ([], False)
        self.client.post(LAUNCHES_URL, {"action": "launches__dismiss__failed-L1-1"})
        self.assertEqual({}, LaunchFailureLog().entries("1"))

    @test.create_mocks(MOCKS)
    @override_settings(POLICY_CHECK_FUNCTION=f"{__name__}.deny_listed")
    def test_row_actions_follow_the_cloud_policy(self):
        self.mock_volume_list_paged.return_value = ([launch_volume("vm", "cloning")], False, False)
        self.mock_server_list.return_value = ([], False)
        self.addCleanup(DENIED.clear)
        DENIED.update({("compute", "os_compute_api:servers:delete")})
        res = self.client.get(LAUNCHES_URL)
        self.assertContains(res, "Finish Launch")
        self.assertNotContains(res, "Clean Up")
        DENIED.update({("compute", "os_compute_api:servers:create")})
        res = self.client.get(LAUNCHES_URL)
        self.assertNotContains(res, "Finish Launch")


class UnrecordedServerTests(test.TestCase):
    """Horizon stopped mid-boot: the server id never reached the launch record,
    the server is in ERROR and its boot volume "reserved"."""

    def setUp(self):
        super().setUp()
        cache.clear()
        shared_cache.clear_local()
        self.volume = launch_volume("vm", "booting")
        self.volume._apiresource.status = "reserved"
        mark = {record.SERVER_MARK: self.volume.id}
        self.server = factories.server("s1", "ERROR", {"message": "No valid host"}, "vm", mark)

    @test.create_mocks(MOCKS)
    def test_the_row_shows_the_errored_server_not_interrupted(self):
        self.mock_volume_list_paged.return_value = ([self.volume], False, False)
        self.mock_server_list.return_value = ([self.server], False)
        res = self.client.get(LAUNCHES_URL)
        (row,) = res.context["table"].data
        self.assertEqual(("error", "s1", "ERROR"), (row.state, row.server_id, row.server_status))
        self.assertEqual("No valid host", english(row.message))
        self.assertNotContains(res, "Finish Launch")
        self.mock_server_list.assert_called_once_with(
            test.IsHttpRequest(), search_opts={"name": mock.ANY, "limit": 2}
        )

    def _clean_up(self, servers):
        with (
            mock.patch.object(lb_cinder, "volume_get_raw", return_value=self.volume._apiresource),
            mock.patch.object(
                api.cinder, "volume_list_paged", return_value=([self.volume], False, False)
            ),
            mock.patch.object(api.nova, "server_list", return_value=(servers, False)),
            mock.patch.object(runner, "start") as start,
        ):
            res = self.client.post(
                LAUNCHES_URL, {"action": f"launches__clean_up__{self.volume.id}"}
            )
        return res, start

    def test_clean_up_deletes_the_server_found_by_its_mark(self):
        res, start = self._clean_up([self.server])
        start.assert_called_once()
        self.assertEqual("s1", start.call_args.args[3].server_id)
        msgs = [str(m) for m in res.wsgi_request._messages]
        self.assertEqual(1, len(msgs))
        self.assertIn("Clean up started", msgs[0])
        self.assertIn(": vm", msgs[0])  # the instance, not the volume id
        self.assertNotIn(self.volume.id, msgs[0])

    def test_clean_up_that_cannot_delete_the_volume_is_refused_with_the_reason(self):
        res, start = self._clean_up([])
        start.assert_not_called()
        msgs = [str(m) for m in res.wsgi_request._messages]
        self.assertFalse(any("Success" in m or "started" in m for m in msgs))
        self.assertIn(
            "vm cannot be cleaned up: its boot volume is reserved and no server of this "
            "launch holds it; an admin can reset the volume's state.",
            msgs,
        )
