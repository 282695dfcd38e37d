#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""The cache the plugin keeps its shared state in.

Launch liveness (heartbeats), the failure log and the cluster lists live in
one Django cache, the one named by the CACHE_ALIAS setting (default: the
alias "lightbits_dashboard" when Horizon's CACHES has one, else "default").

Two things go wrong with a plain ``django.core.cache.cache``:

* A local-memory cache holds 300 entries and culls the least recently used
  third when full. Horizon's compressor fills it (file mtimes, compressed
  blocks), so a cluster list or a heartbeat is gone within seconds. When the
  chosen backend is local memory, the plugin uses its own local-memory cache
  instead (same process, its own entries only): nothing is lost, since a
  local-memory cache is per process anyway.
* memcached refuses items over 1 MB (its default ``-I``): a large cluster
  list would silently never be cached. ``set_large`` stores a value
  compressed, in pieces under that size, and ``get_large`` reads them back
  with one ``get_many``.
"""

import json
import logging
import uuid
import zlib

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.connection import ConnectionProxy

from lightbits_dashboard import conf

LOG = logging.getLogger(__name__)
PLUGIN_ALIAS = "lightbits_dashboard"
# Below memcached's default 1 MB item limit, with room for key and pickling.
PIECE_BYTES = 512 * 1024
_LOCAL = LocMemCache(PLUGIN_ALIAS, {"OPTIONS": {"MAX_ENTRIES": 100000}})


def alias():
    from django.conf import settings

    configured = conf.get("CACHE_ALIAS")
    if configured:
        return configured
    return PLUGIN_ALIAS if PLUGIN_ALIAS in getattr(settings, "CACHES", {}) else "default"


def get_cache():
    """The plugin's cache: the configured alias, or its own local memory.

    Django's cache clients are per thread (a memcached client is not thread
    safe): the alias is resolved again in the thread of each use, as
    ``django.core.cache.cache`` does, so a launch's background thread may
    keep what it got from a request thread.
    """
    name = alias()
    if isinstance(caches[name], LocMemCache):
        return _LOCAL
    return ConnectionProxy(caches, name)


def cross_process():
    """Whether what is stored is seen by other processes (not local memory)."""
    name = alias()
    return not isinstance(caches[name], (LocMemCache, DummyCache))


def clear_local():
    """For tests: forget what this process's own local-memory cache holds."""
    _LOCAL.clear()


def set_large(key, value, timeout):
    """Store ``value`` (JSON data) compressed, in pieces small enough for
    any cache backend."""
    cache = get_cache()
    data = zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 6)
    generation = uuid.uuid4().hex[:12]
    pieces = {
        f"{key}:{generation}:{i}": data[start : start + PIECE_BYTES]
        for i, start in enumerate(range(0, len(data), PIECE_BYTES))
    }
    # Pieces first, then the head naming them: a reader never sees a head
    # whose pieces are not there yet.
    try:
        cache.set_many(pieces, timeout)
        cache.set(key, {"generation": generation, "pieces": len(pieces)}, timeout)
    except Exception as exc:
        # A cache that refuses (down, full, too large) costs a cache miss,
        # never the page.
        LOG.warning("lightbits_dashboard: not cached (%s): %s", type(exc).__name__, key)


def get_large(key):
    """The value ``set_large`` stored, or None (missing, expired, evicted)."""
    cache = get_cache()
    try:
        head = cache.get(key)
        if not isinstance(head, dict) or "generation" not in head:
            return None
        keys = [f"{key}:{head['generation']}:{i}" for i in range(head["pieces"])]
        found = cache.get_many(keys)
    except Exception as exc:
        LOG.warning("lightbits_dashboard: cache not readable (%s)", type(exc).__name__)
        return None
    if len(found) != len(keys):
        return None
    return json.loads(zlib.decompress(b"".join(found[k] for k in keys)))


def delete_large(key):
    get_cache().delete(key)
