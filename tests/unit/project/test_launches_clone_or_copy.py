"""The Launches page says per instance "Cloned" or "Copied" (with the time),
warns of a copy the clone path did not announce, and puts "Require fast
clone" refusals into words."""

from django.core.cache import cache
from django.urls import reverse
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.dashboards.project.lightbits_images import jobs
from lightbits_dashboard.dashboards.project.lightbits_images.launches import rows as launch_rows
from lightbits_dashboard.dashboards.project.lightbits_images.launches.failures import (
    LaunchFailureLog,
)
from lightbits_dashboard.launch import clone_check, orchestrator, record
from lightbits_dashboard.message import msg
from tests.unit import factories
from tests.unit.project.says import assert_says
from tests.unit.project.test_launches import SPEC, launch_volume

LAUNCHES_URL = reverse("horizon:project:lightbits_images:launches")
MOCKS = {api.cinder: ("volume_list_paged",), api.nova: ("server_list",)}


class CloneOrCopyTests(test.TestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        shared_cache.clear_local()

    def _page(self, *volumes):
        self.mock_volume_list_paged.return_value = (list(volumes), False, False)
        self.mock_server_list.return_value = ([factories.server("s1", "ACTIVE")], False)
        return self.client.get(LAUNCHES_URL)

    @test.create_mocks(MOCKS)
    def test_a_clone_says_cloned_with_its_time(self):
        res = self._page(
            launch_volume("vm", "active", server_id="s1", made="clone", made_seconds=3.2)
        )
        self.assertContains(res, "Cloned (3.2 s)")
        self.assertNotContains(res, "Likely reasons")

    def _copied(self, seconds, expected):
        """The page of one active instance whose boot volume was a copy."""
        return self._page(
            launch_volume(
                "vm",
                "active",
                server_id="s1",
                made="copy",
                made_seconds=seconds,
                expected=expected,
            )
        )

    @test.create_mocks(MOCKS)
    def test_an_announced_copy_says_copied_without_a_warning(self):
        res = self._copied(8.0, expected="copy")
        self.assertContains(res, "Copied (8 s)")
        self.assertNotContains(res, "Likely reasons")

    @test.create_mocks(MOCKS)
    def test_a_copy_the_clone_path_called_fast_clone_is_a_warning_with_reasons(self):
        res = self._copied(9.5, expected="clone")
        assert_says(
            self,
            res,
            "Copied (9.5 s)",
            "the clone path said Fast clone for this image",
            "allowed_direct_url_schemes",
            "another cinder-volume host or pool",
            "fell back silently",
        )

    @test.create_mocks(MOCKS)
    def test_while_cloning_nothing_is_claimed(self):
        res = self._page(launch_volume("vm", "cloning"))
        (row,) = res.context["table"].data
        self.assertEqual("", row.made.kind)
        self.assertNotContains(res, "Cloned")
        self.assertNotContains(res, "Copied")

    @test.create_mocks(MOCKS)
    def test_a_refused_copy_is_said_in_words_on_its_failure_row(self):
        rec = record.LaunchRecord(
            "L1", "vm", 1, 1, "vm", "img-1", record.CLONING, SPEC, made="copy", require_clone=True
        )
        refused = msg(clone_check.COPY_REFUSED)
        outcome = orchestrator.Outcome(rec, False, error=refused)
        LaunchFailureLog().add("1", outcome, refused)
        res = self._page()
        (row,) = res.context["table"].data
        self.assertEqual(("error", "copy"), (row.state, row.made.kind))
        self.assertContains(res, "Copied")
        self.assertContains(res, "the launch required a fast clone")
        self.assertNotContains(res, clone_check.COPY_REFUSED)

    @test.create_mocks(MOCKS)
    def test_a_refusal_inside_a_batch_summary_is_in_words_too(self):
        failed = [msg("instance_failed", server="vm-2", error=msg(clone_check.COPY_REFUSED))]
        summary = msg("launched_some", launched=1, total=2, failed=failed)
        res = self._page(launch_volume("vm-1", "active", count=2, message=summary))
        self.assertContains(res, "vm-2 failed: Stopped: Cinder started copying")


class RowUpdateRaceTests(test.TestCase):
    """A driver that finishes between the row's volume read and its heartbeat
    read must not leave the row stuck on Interrupted (Horizon stops polling)."""

    def setUp(self):
        super().setUp()
        cache.clear()
        shared_cache.clear_local()

    @test.create_mocks({lb_cinder: ("volume_get_raw",), api.nova: ("server_get",)})
    def test_a_row_that_would_say_interrupted_is_read_once_more(self):
        booting = launch_volume("vm", "booting", server_id="s1", made="clone", made_seconds=4.0)
        done = launch_volume("vm", "active", server_id="s1", made="clone", made_seconds=4.0)
        # first read: still booting (and the heartbeat is already gone); then: active
        self.mock_volume_get_raw.side_effect = [booting._apiresource, done._apiresource]
        self.mock_server_get.return_value = factories.server("s1", "ACTIVE")
        row = launch_rows.launch_row(self._request(), booting.id)
        self.assertEqual("active", row.state)
        self.assertEqual(2, self.mock_volume_get_raw.call_count)

    @test.create_mocks({lb_cinder: ("volume_get_raw",), api.nova: ("server_get",)})
    def test_a_live_row_is_read_once(self):
        booting = launch_volume("vm", "booting", server_id="s1")
        self.mock_volume_get_raw.return_value = booting._apiresource
        self.mock_server_get.return_value = factories.server("s1", "BUILD")
        jobs.heartbeat().beat("L1")
        self.assertEqual("booting", launch_rows.launch_row(self._request(), booting.id).state)
        self.assertEqual(1, self.mock_volume_get_raw.call_count)

    def _request(self):
        request = self.request
        request.user.project_id = "1"
        return request
