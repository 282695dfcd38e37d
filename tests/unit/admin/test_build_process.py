"""The inventory build in a child process (build_process.py) when the
plugin's cache is shared between processes: the child reads the cloud over
HTTP (a copy of the fakes, child_cloud), stores the inventory, frees the
lock; the admin's token reaches it on its standard input only; a child that
cannot start or dies leaves no lock behind."""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from unittest import mock

import requests
from django.conf import settings
from django.test import override_settings
from openstack_auth import utils as openstack_auth_utils
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import inventory as inv
from lightbits_dashboard import shared_cache
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import build_process, cached
from tests.unit import factories
from tests.unit.admin import child_cloud, fakes
from tests.unit.admin.cloud_data import dataset
from tests.unit.admin.fake_cloud_http import PagedLightbits, route
from tests.unit.admin.test_views import INDEX
from tests.unit.api.test_shared_cache import PrivateMemcached, memcached_caches

SETTINGS = {
    "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
    "CLUSTERS": {"lightbits": {"api_endpoints": ["10.0.0.1:443"], "jwt": "not-a-secret"}},
    "SERVICE_PROJECTS": [factories.SERVICE],
    "INVENTORY_BUILD_WAIT": 60,  # these tests see the child's build done
}


def wait_unlocked(timeout=30):
    deadline = time.monotonic() + timeout
    while cached.building_for() is not None:
        assert time.monotonic() < deadline, "the build lock was not freed"
        time.sleep(0.05)


def _cloud():
    """The benchmark's cloud of 100 volumes: (its services, its Lightbits
    volumes, the paged Lightbits API)."""
    cloud, lbs = dataset(100)
    return cloud, lbs, PagedLightbits(fakes.cluster_body(lbs))


@contextlib.contextmanager
def _serving(cloud, lightbits, child_settings):
    """The fakes written for a build child with ``child_settings``, and this
    process's HTTP routed to them; yields the file the child reports to."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cloud")
        env = child_cloud.write(path, cloud, lightbits, child_settings)
        with (
            mock.patch.dict(os.environ, env),
            mock.patch.object(requests.Session, "request", route(cloud, lightbits)),
        ):
            yield path


class _Memcached(PrivateMemcached, test.BaseAdminViewTests):
    def setUp(self):
        super().setUp()
        caches = self.settings(CACHES=memcached_caches(self.location))
        caches.enable()
        self.addCleanup(caches.disable)


@override_settings(LIGHTBITS_DASHBOARD=SETTINGS)
class ChildBuildTests(_Memcached):
    def test_the_child_builds_what_the_page_shows_and_gets_the_token_on_stdin_only(self):
        cloud, lbs, lightbits = _cloud()
        child_settings = {"LIGHTBITS_DASHBOARD": SETTINGS, "CACHES": settings.CACHES}
        with (
            _serving(cloud, lightbits, child_settings) as path,
            mock.patch.object(build_process.subprocess, "Popen", wraps=subprocess.Popen) as popen,
        ):
            res = self.client.get(INDEX)
            report = child_cloud.wait_report(path)
        self.assertEqual(res.status_code, 200)
        # Every list was read by the child; this process made no call.
        self.assertEqual(sum(cloud.calls.values()) + len(lightbits.calls), 0)
        self.assertGreaterEqual(report["calls"], 8)
        counts = {code: n for code, _label, n, _tab in res.context["finding_counts"]}
        self.assertEqual(counts[inv.NOT_READ_ONLY], 1)
        degraded = sum(1 for v in lbs if v["protectionState"] == "Degraded")
        [cluster] = res.context["clusters_table"].data
        self.assertEqual(cluster.volumes, len(lbs))
        self.assertIn(f"{degraded} Degraded", res.content.decode())
        self.assertIsNone(cached.building_for())
        argv, kwargs = popen.call_args
        self.assertNotIn(self.token.id, " ".join(argv[0]))
        self.assertNotIn(self.token.id, " ".join(kwargs["env"].values()))


def _inventory():
    """The stored inventory as the page would read it: its head and every row
    of each table, less what differs between two builds of the same cloud."""
    head = shared_cache.get_large(cached.KEY)
    page = cached.read_page(head, {}, {}, 10**6)
    rows = {
        table: [(r.id, sorted(f.code for f in r.findings)) for r in page.rows[table]]
        for table in cached.TABLES
    }
    kept = ("counts", "projects", "failed", "cluster_errors", "sizes", "filters", "stores")
    return {name: head[name] for name in kept}, rows


# Horizon's own policy check, as deployed (the unit tests' settings turn it
# off): the Keystone project list is read only by a user it accepts.
POLICY = {"POLICY_CHECK_FUNCTION": "openstack_auth.policy.check"}


class SameInventoryTests(_Memcached):
    def test_the_child_and_the_thread_build_the_same_inventory(self):
        cloud, _lbs, lightbits = _cloud()
        service = next(p["name"] for p in cloud.projects if p["id"] == factories.SERVICE)
        # By name, as a deployment configures it: resolved through Keystone's list.
        lb_settings = dict(SETTINGS, SERVICE_PROJECTS=[service])
        child_settings = dict(POLICY, LIGHTBITS_DASHBOARD=lb_settings, CACHES=settings.CACHES)
        with _serving(cloud, lightbits, child_settings) as path, self.settings(**POLICY):
            with self.settings(
                LIGHTBITS_DASHBOARD=dict(lb_settings, INVENTORY_BUILD_PROCESS=False)
            ):
                self.assertEqual(self.client.get(INDEX).status_code, 200)
            in_thread = _inventory()
            cached.invalidate()
            with self.settings(LIGHTBITS_DASHBOARD=lb_settings):
                self.assertEqual(self.client.get(INDEX).status_code, 200)
                child_cloud.wait_report(path)
                wait_unlocked()
            in_child = _inventory()
        head, rows = in_child
        self.assertEqual(head["failed"], [])
        self.assertEqual(head["projects"][factories.SERVICE], service)
        self.assertNotIn(inv.USER_PROJECT, head["counts"])  # image volumes are in service
        self.assertEqual(in_child[0], in_thread[0])
        self.assertEqual(rows, in_thread[1])


class PayloadTests(test.BaseAdminViewTests):
    def test_the_child_gets_the_admin_without_openstack_auth_serializers(self):
        request = self.factory.get("/")
        request.user = openstack_auth_utils.get_user(request)  # the test's admin
        # Horizon before 26 has no openstack_auth.serializers (its sessions
        # use their own SESSION_SERIALIZER, set in its settings).
        with mock.patch.dict(sys.modules, {"openstack_auth.serializers": None}):
            payload = build_process.Build(request)._payload("lock")
            loaded = build_process.loads(payload)
        child = build_process._request(loaded).user
        self.assertEqual(child.token.id, self.token.id)
        self.assertEqual(child.token.expires, self.token.expires)
        self.assertEqual(child.roles, request.user.roles)
        # Who openstack_auth's policy checks see: the admin, from the session.
        checked = self._real_get_user(build_process._request(build_process.loads(payload)))
        self.assertEqual((checked.id, checked.project_id), (child.id, child.project_id))
        self.assertEqual(checked.roles, request.user.roles)


class _Spawned:
    """A Build whose child is ``argv``; ``build()`` is the in-thread fallback."""

    def __init__(self, argv=None, error=None):
        self.argv, self.error, self.built = argv, error, 0

    def __call__(self):
        self.built += 1
        return inv.build([], [], [], [], {}), {}, {"lists": [], "clusters": {}}

    def spawn(self, lock_token):
        if self.error:
            raise self.error
        return subprocess.Popen(self.argv)


@override_settings(LIGHTBITS_DASHBOARD=SETTINGS)
class ChildFailureTests(_Memcached):
    def assert_built_in_a_thread(self, build, logged):
        with self.assertLogs(cached.LOG, "WARNING") as logs:
            head = cached.start_build(build, wait=30)
        self.assertTrue(head["fresh"])
        self.assertEqual(build.built, 1)
        self.assertIn(logged, logs.output[0])
        self.assertIsNone(cached.building_for())

    def test_a_child_that_fails_within_the_wait_builds_in_a_thread(self):
        build = _Spawned([sys.executable, "-c", "import sys; sys.exit(3)"])
        self.assert_built_in_a_thread(build, "status 3")

    def test_a_child_that_cannot_import_builds_in_a_thread(self):
        error = ImportError("No module named 'openstack_auth.serializers'")
        self.assert_built_in_a_thread(_Spawned(error=error), "openstack_auth.serializers")

    def test_a_child_that_dies_after_the_wait_frees_the_lock(self):
        build = _Spawned([sys.executable, "-c", "import time; time.sleep(1)"])
        self.assertIsNone(cached.start_build(build, wait=0))
        self.assertIsNotNone(cached.building_for())  # still running: locked
        wait_unlocked()

    def test_no_child_process_builds_in_a_thread(self):
        self.assert_built_in_a_thread(_Spawned(error=OSError("fork refused")), "fork refused")

    def test_off_by_setting_builds_in_a_thread(self):
        build = _Spawned([sys.executable, "-c", "raise SystemExit(3)"])
        with self.settings(LIGHTBITS_DASHBOARD=dict(SETTINGS, INVENTORY_BUILD_PROCESS=False)):
            head = cached.start_build(build, wait=30)
        self.assertEqual(build.built, 1)
        self.assertTrue(head["fresh"])
