"""The plugin's cache: its own local memory, and pieces under memcached's
1 MB item limit (a real Debian memcached, started for these tests)."""

import contextlib
import socket
import subprocess
import time
import uuid
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import override_settings

from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import lightbits

MEMCACHED = "/usr/bin/memcached"  # tools/bootstrap installs Debian's memcached
CLUSTER = {"lightbits": {"api_endpoints": ["10.0.0.5:443"], "jwt": "x.y.z"}}


@contextlib.contextmanager
def run_memcached():
    """A private memcached on a free loopback port; yields "host:port"."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # -I 1m: the default item limit, said explicitly.
    argv = [MEMCACHED, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "64", "-I", "1m"]
    proc = subprocess.Popen(argv + ["-u", "nobody"])
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "memcached did not start"
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


class PrivateMemcached:
    """A test case mixin: one private memcached for the class (``location``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._memcached = run_memcached()
        cls.location = cls._memcached.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._memcached.__exit__(None, None, None)
        super().tearDownClass()


@pytest.fixture(scope="module")
def memcached():
    with run_memcached() as location:
        yield location


def memcached_caches(location):
    """Horizon's default cache plus the plugin's alias on that memcached."""
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "lightbits_dashboard": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": location,
            "KEY_PREFIX": uuid.uuid4().hex[:8],
        },
    }


def _memcached_settings(location):
    return override_settings(
        CACHES=memcached_caches(location),
        LIGHTBITS_DASHBOARD={"CLUSTERS": CLUSTER, "CLUSTER_CACHE_SECONDS": 60},
    )


def _volumes(n):
    return [
        {
            "UUID": str(uuid.UUID(int=i)),
            "name": f"volume-{uuid.UUID(int=i + 10**9)}",
            "projectName": "default",
            "state": "Available",
            "protectionState": "FullyProtected",
            "replicaCount": 3,
            "compression": "true",
            "size": 1073741824 * (1 + i % 50),
            "nodeList": [str(uuid.UUID(int=i % 7)), str(uuid.UUID(int=i % 5 + 100))],
        }
        for i in range(n)
    ]


def _fake_client(volumes):
    client = mock.Mock()
    client.cluster_info.return_value = {"UUID": "c1"}
    client.nodes.return_value = [{"name": "node-0"}]
    client.list_volumes.return_value = volumes
    return client


def test_a_25000_volume_cluster_stays_cached_in_memcached(memcached):
    volumes = _volumes(25000)
    client = _fake_client(volumes)
    with (
        _memcached_settings(memcached),
        mock.patch.object(lightbits, "client_for", return_value=client),
    ):
        # the plugin's alias, resolved in the thread of each use
        assert shared_cache.get_cache().set.__self__ is caches["lightbits_dashboard"]
        # the limit is real: the whole list in one item is not kept
        plain = caches["lightbits_dashboard"]
        try:
            plain.set("whole-list", volumes, 60)
        except Exception:
            pass
        assert plain.get("whole-list") is None
        first = lightbits.cluster_state(None, "lightbits")
        second = lightbits.cluster_state(None, "lightbits")
    assert client.list_volumes.call_count == 1
    assert len(second["volumes"]) == 25000
    assert second == first


def test_a_missing_piece_is_a_miss_not_a_wrong_answer(memcached):
    with _memcached_settings(memcached):
        big = [str(uuid.uuid4()) for _ in range(200000)]  # several pieces
        shared_cache.set_large("k", big, 60)
        assert shared_cache.get_large("k") == big
        head = shared_cache.get_cache().get("k")
        assert head["pieces"] > 1
        shared_cache.get_cache().delete(f"k:{head['generation']}:1")
        assert shared_cache.get_large("k") is None


def test_a_local_memory_backend_becomes_the_plugins_own():
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        cache = shared_cache.get_cache()
        assert cache is not caches["default"]
        cache.set("mine", 1, 60)
        caches["default"].clear()
        assert cache.get("mine") == 1


def test_a_shared_cache_kept_by_a_background_thread_uses_that_threads_client(memcached):
    """Django's cache clients are per thread (pymemcache's is not thread safe):
    the launch's heartbeat, built in a request thread and beaten from the
    launch's thread, must not share the request thread's client."""
    import threading

    with _memcached_settings(memcached):
        kept = shared_cache.get_cache()  # as a request thread hands it to a launch
        here = caches["lightbits_dashboard"]
        seen = {}

        def background():
            kept.set("beat", True, 60)
            seen["client"] = kept.set.__self__
            seen["own"] = caches["lightbits_dashboard"]

        thread = threading.Thread(target=background)
        thread.start()
        thread.join(10)
        assert seen["client"] is seen["own"] and seen["client"] is not here
        assert kept.get("beat") is True
