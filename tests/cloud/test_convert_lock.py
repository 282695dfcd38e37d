"""One conversion per image across Horizon processes: uwsgi workers share
the local cloud's memcached (as Horizon's CACHES in deployment), and of
several processes taking one image's lock at the same instant, one wins."""

import multiprocessing
import time
import uuid

from django.core.cache.backends.memcached import PyMemcacheCache

from lightbits_dashboard.convert import lock

PROCESSES, TRIALS = 3, 10


def _take(args):
    """In its own process: wait for the common instant, then take the lock."""
    location, image_id, start_at, number = args
    locks = lock.ConversionLock(PyMemcacheCache(location, {}), ttl=60)
    while time.time() < start_at:
        pass
    return locks.acquire(image_id, lock.Holder(f"c{number}", f"u{number}")) is None


def test_of_processes_converting_one_image_at_once_exactly_one_wins(cloud):
    winners = []
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        for _trial in range(TRIALS):
            image_id, start_at = str(uuid.uuid4()), time.time() + 0.5
            args = [(cloud["memcached"], image_id, start_at, n) for n in range(PROCESSES)]
            winners.append(sum(pool.map(_take, args)))
    assert winners == [1] * TRIALS
