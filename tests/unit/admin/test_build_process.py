"""The inventory build in a child process (build_process.py) when the
plugin's cache is shared between processes: the child reads the cloud over
HTTP (a copy of the fakes, child_cloud), stores the inventory, frees the
lock; the admin's token reaches it on its standard input only; a child that
cannot start or dies leaves no lock behind."""

import os
import subprocess
import sys
import tempfile
import time
from unittest import mock

import requests
from django.conf import settings
from django.test import override_settings
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import inventory as inv
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import build_process, cached
from tests.unit.admin import child_cloud, fakes
from tests.unit.admin.cloud_data import dataset
from tests.unit.admin.fake_cloud_http import PagedLightbits, route
from tests.unit.admin.test_views import INDEX
from tests.unit.api.test_shared_cache import PrivateMemcached, memcached_caches

SETTINGS = {
    "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
    "CLUSTERS": {"lightbits": {"api_endpoints": ["10.0.0.1:443"], "jwt": "not-a-secret"}},
    "SERVICE_PROJECTS": [fakes.SERVICE],
    "INVENTORY_BUILD_WAIT": 60,  # these tests see the child's build done
}


def wait_unlocked(timeout=30):
    deadline = time.monotonic() + timeout
    while cached.building_for() is not None:
        assert time.monotonic() < deadline, "the build lock was not freed"
        time.sleep(0.05)


class _Memcached(PrivateMemcached, test.BaseAdminViewTests):
    def setUp(self):
        super().setUp()
        caches = self.settings(CACHES=memcached_caches(self.location))
        caches.enable()
        self.addCleanup(caches.disable)


@override_settings(LIGHTBITS_DASHBOARD=SETTINGS)
class ChildBuildTests(_Memcached):
    def test_the_child_builds_what_the_page_shows_and_gets_the_token_on_stdin_only(self):
        cloud, lbs = dataset(100)
        lightbits = PagedLightbits(fakes.cluster_body(lbs))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "cloud")
            env = child_cloud.write(
                path,
                cloud,
                lightbits,
                {"LIGHTBITS_DASHBOARD": SETTINGS, "CACHES": settings.CACHES},
            )
            with (
                mock.patch.dict(os.environ, env),
                mock.patch.object(requests.Session, "request", route(cloud, lightbits)),
                mock.patch.object(
                    build_process.subprocess, "Popen", wraps=subprocess.Popen
                ) as popen,
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
    def test_a_child_that_fails_frees_the_lock(self):
        build = _Spawned([sys.executable, "-c", "import sys; sys.exit(3)"])
        self.assertIsNone(cached.start_build(build, wait=30))
        self.assertIsNone(cached.building_for())
        self.assertEqual(build.built, 0)

    def test_a_child_that_dies_after_the_wait_frees_the_lock(self):
        build = _Spawned([sys.executable, "-c", "import time; time.sleep(1)"])
        self.assertIsNone(cached.start_build(build, wait=0))
        self.assertIsNotNone(cached.building_for())  # still running: locked
        wait_unlocked()

    def test_no_child_process_builds_in_a_thread(self):
        build = _Spawned(error=OSError("fork refused"))
        with self.assertLogs(cached.LOG, "WARNING") as logs:
            head = cached.start_build(build, wait=30)
        self.assertTrue(head["fresh"])
        self.assertEqual(build.built, 1)
        self.assertIn("fork refused", logs.output[0])
        self.assertIsNone(cached.building_for())

    def test_off_by_setting_builds_in_a_thread(self):
        build = _Spawned([sys.executable, "-c", "raise SystemExit(3)"])
        with self.settings(LIGHTBITS_DASHBOARD=dict(SETTINGS, INVENTORY_BUILD_PROCESS=False)):
            head = cached.start_build(build, wait=30)
        self.assertEqual(build.built, 1)
        self.assertTrue(head["fresh"])
