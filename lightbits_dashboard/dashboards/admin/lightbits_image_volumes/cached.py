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

"""The whole-cloud inventory, built once and shared by every page view.

Building the inventory needs every image, every Cinder volume and every
Lightbits volume of the cloud (collect.collect): seconds at 50,000 volumes.
It is built once, stored in the plugin's shared cache (shared_cache,
CACHE_ALIAS) and read by every page view, which then costs its page size:

* ``head``: when it was built, the finding counts, the filter choices, the
  configuration and cluster rows, which lists could not be read, and the
  number of rows of each table;
* per table, per filter value (a finding code, a store, a project), the
  positions of the rows it selects;
* per table, the rows themselves in chunks of CHUNK_ROWS, as plain JSON
  (raw fields only; no API objects).

Every entry is compressed and under memcached's 1 MB item limit
(shared_cache.set_large). A page view reads the head, the position lists of
its filters and the one or two chunks holding its rows.

Freshness: the inventory is rebuilt when it is older than INVENTORY_MAX_AGE,
when the user asks for it (Refresh), or after one of the panel's actions
(``invalidate``). The view that finds it missing or old starts the build
and waits for it at most INVENTORY_BUILD_WAIT seconds: a page view never
waits for a whole-cloud build. The build runs in a child process
(build_process.py) when the cache is shared between processes, else in a
background thread. One builder at a time across all Horizon processes (a
lock in the shared cache, holding when the build started); meanwhile views
show the previous inventory, or, when there is none, say that it is being
built and for how long (``building_since``).
"""

import gc
import logging
import subprocess
import threading
import time
import uuid
from dataclasses import asdict, dataclass

from django.core.cache import close_caches
from django.utils import translation

from lightbits_dashboard import conf, model, shared_cache
from lightbits_dashboard import inventory as inv
from lightbits_dashboard.api import lightbits as lb_api
from lightbits_dashboard.model import field

KEY = "lightbits_dashboard:admin-inventory:v3"
LOCK = KEY + ":lock"
EPOCH = KEY + ":epoch"
CHUNK_ROWS = 50
TABLES = ("images", "volumes")
LOCK_SECONDS = 300  # a builder that died frees the lock after this long
LOG = logging.getLogger(__name__)

# "stores": the row actions decide by model.lightbits_store on the cached image.
_IMAGE_FIELDS = (
    "id",
    "name",
    "owner",
    "status",
    "disk_format",
    "container_format",
    "size",
    "stores",
)
_VOLUME_FIELDS = (
    "id",
    "name",
    "status",
    "size",
    "volume_type",
    model.VOLUME_PROJECT_ATTR,
    "os-vol-host-attr:host",
)
# The API layer's fields, less those only the build reads (the replicas'
# nodes are in LightbitsSide.nodes; the clone counts are in the row).
_BUILD_ONLY = ("nodeList", "sourceSnapshotUUID", "sourceSnapshotName", "rebuildProgress")
_LIGHTBITS_FIELDS = tuple(f for f in lb_api.VOLUME_FIELDS if f not in _BUILD_ONLY)


@dataclass
class Page:
    """What one page view reads: the head and, per table, its page of rows."""

    built_at: float
    head: dict
    rows: dict  # table -> [row]
    has_prev: dict
    has_more: dict
    building: bool = False  # no inventory to show yet: it is being built
    building_for: int = None  # seconds a build (first or next one) has run, or None

    @property
    def age(self):
        return max(0, int(time.time() - self.built_at)) if self.built_at else None

    @property
    def generation(self):
        return self.head.get("generation", "")


def max_age():
    return int(conf.get("INVENTORY_MAX_AGE"))


def _ttl():
    # Kept well past its age: a stale inventory is shown while one is rebuilt.
    return max(600, 10 * max_age())


def invalidate():
    """Forget the inventory (after an action changed what it shows)."""
    cache = shared_cache.get_cache()
    cache.set(EPOCH, uuid.uuid4().hex, None)
    shared_cache.delete_large(KEY)


# -- storing --------------------------------------------------------------------


def _slim(obj, names):
    if obj is None:
        return None
    data = {n: field(obj, n) for n in names}
    return data


def _volume(vol):
    data = _slim(vol, _VOLUME_FIELDS)
    if data is not None:
        data["metadata"] = {"readonly": str(inv.is_read_only(vol))}
        data["attachments"] = len(field(vol, "attachments", []) or [])
    return data


def _side(side):
    if side is None:
        return None
    data = asdict(side)
    data["volume"] = _slim(side.volume, _LIGHTBITS_FIELDS)
    return data


def row_to_json(row):
    data = {k: v for k, v in vars(row).items() if k not in ("image", "volume", "lightbits")}
    data["findings"] = [asdict(f) for f in row.findings]
    data["volume"] = _volume(row.volume)
    data["lightbits"] = _side(row.lightbits)
    if isinstance(row, inv.ImageRow):
        data["image"] = _slim(row.image, _IMAGE_FIELDS)
    return data


class Fields(dict):
    """A cached image or volume: its raw fields, readable as attributes too."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def row_from_json(table, data):
    data = dict(data)
    for name in ("image", "volume"):
        if data.get(name) is not None:
            data[name] = Fields(data[name])
    data["findings"] = [inv.Finding(**f) for f in data["findings"]]
    side = data.get("lightbits")
    data["lightbits"] = inv.LightbitsSide(**side) if side else None
    pos = data.pop("pos")
    row = (inv.ImageRow if table == "images" else inv.VolumeRow)(**data)
    row.pos = pos
    return row


def _filter_keys(table, row):
    """(kind, value) pairs a row is selected by."""
    keys = {("finding", f.code) for f in row.findings}
    if table == "images":
        keys.update(("store", s) for s in list(row.stores) + [row.store] if s)
        owner = field(row.image, "owner")
        keys.update(("project", p) for p in (owner, row.project) if p)
    elif row.project:
        keys.add(("project", row.project))
    return keys


def _piece(generation, table, kind, value=""):
    return f"{KEY}:{generation}:{table}:{kind}:{value}"


def store(result, projects, failed):
    """Store a built inventory; returns its head."""
    generation = uuid.uuid4().hex[:12]
    ttl = _ttl()
    head = {
        "generation": generation,
        "built_at": time.time(),
        "counts": dict(result.counts),
        "projects": projects,
        "stores": sorted({s for row in result.image_rows for s in row.stores}),
        "config": [asdict(r) for r in result.config_rows],
        "clusters": [asdict(c) for c in result.clusters.values()],
        "failed": list(failed.get("lists", ())),
        "cluster_errors": failed.get("clusters", {}),
        "sizes": {},
        "filters": {},
    }
    for table, rows in (("images", result.image_rows), ("volumes", result.volume_rows)):
        head["sizes"][table] = len(rows)
        selected = {}
        for pos, row in enumerate(rows):
            for key in _filter_keys(table, row):
                selected.setdefault(key, []).append(pos)
        head["filters"][table] = sorted(f"{k}={v}" for k, v in selected)
        for (kind, value), positions in selected.items():
            shared_cache.set_large(
                _piece(generation, table, "f", f"{kind}={value}"), positions, ttl
            )
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = [
                dict(row_to_json(row), pos=start + i)
                for i, row in enumerate(rows[start : start + CHUNK_ROWS])
            ]
            shared_cache.set_large(_piece(generation, table, "c", start // CHUNK_ROWS), chunk, ttl)
    shared_cache.set_large(KEY, head, ttl)
    return head


# -- reading ---------------------------------------------------------------------


def _positions(head, table, filters):
    """The positions the filters select (sorted), or None: every row."""
    chosen = None
    for kind in ("finding", "store", "project"):
        value = filters.get(kind)
        if not value:
            continue
        name = f"{kind}={value}"
        found = []
        if name in head["filters"][table]:
            found = shared_cache.get_large(_piece(head["generation"], table, "f", name))
            if found is None:
                raise LookupError(name)  # evicted: the inventory is lost
        chosen = found if chosen is None else sorted(set(chosen) & set(found))
    return chosen


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def page_positions(positions, marker, prev_marker, size):
    """(positions of the page, has_prev, has_more); markers are positions:
    marker the last row of the previous page, prev_marker the first row of
    the next page."""
    import bisect

    prev = _int(prev_marker)
    if prev is not None:
        end = bisect.bisect_left(positions, prev)
        start = max(0, end - size)
    else:
        after = _int(marker)
        start = bisect.bisect_right(positions, after) if after is not None else 0
        end = start + size
    return list(positions[start:end]), start > 0, end < len(positions)


def _rows(head, table, positions):
    chunks = {}
    rows = []
    for pos in positions:
        number = pos // CHUNK_ROWS
        if number not in chunks:
            chunk = shared_cache.get_large(_piece(head["generation"], table, "c", number))
            if chunk is None:
                raise LookupError(number)
            chunks[number] = chunk
        rows.append(row_from_json(table, chunks[number][pos % CHUNK_ROWS]))
    return rows


def read_page(head, filters, markers, size):
    """Page of each table from a stored inventory (LookupError: pieces lost)."""
    page = Page(head["built_at"], head, {}, {}, {})
    for table in TABLES:
        positions = _positions(head, table, filters)
        if positions is None:
            positions = range(head["sizes"][table])
        marker, prev_marker = markers.get(table, (None, None))
        shown, page.has_prev[table], page.has_more[table] = page_positions(
            positions, marker, prev_marker, size
        )
        page.rows[table] = _rows(head, table, shown)
    return page


def building_since():
    """When the build in progress started (epoch seconds), or None."""
    lock = shared_cache.get_cache().get(LOCK)
    if lock is None:
        return None
    return lock.get("started_at", 0) if isinstance(lock, dict) else 0


def building_for():
    """Seconds the build in progress has run, or None."""
    since = building_since()
    if since is None:
        return None
    return max(0, int(time.time() - since)) if since else 0


def build_locked(build):
    """Build and store (the caller holds the lock); returns the head."""
    cache = shared_cache.get_cache()
    collecting = gc.isenabled()
    epoch = cache.get(EPOCH)
    # Hundreds of thousands of short-lived objects: without the collector
    # the build takes about half the time (profiled at 50,000 volumes: 5.7 s
    # instead of 9.3 s).
    gc.disable()
    try:
        result, projects, failed = build()
    finally:
        if collecting:
            gc.enable()
    head = store(result, projects, failed)
    if cache.get(EPOCH) != epoch:  # an action ran meanwhile: not to be reused
        shared_cache.delete_large(KEY)
    return head


def free_lock(token):
    """Free the build lock if it is still the one taken with ``token``."""
    lock = shared_cache.get_cache().get(LOCK)
    if isinstance(lock, dict) and lock.get("token") == token:
        shared_cache.get_cache().delete(LOCK)


def start_build(build, wait=None):
    """Start a build unless another one (in any process) is building; wait
    for it at most ``wait`` seconds (INVENTORY_BUILD_WAIT).

    ``build()`` -> (Inventory, projects, failed lists). When the shared
    cache is reachable from other processes, ``build`` has a
    ``spawn(lock_token)`` (build_process.Build) and INVENTORY_BUILD_PROCESS
    is on, the build runs in a child process; else in a background thread,
    as it does when the child cannot start or exits with an error within
    the wait (a page view then still gets an inventory, not an error).

    Returns the new head when the build finished within the wait, else None.
    Only a head built in this process has ``fresh`` set: this request's user
    got its messages.
    """
    token = _lock()
    if token is None:
        return None
    wait = float(conf.get("INVENTORY_BUILD_WAIT")) if wait is None else wait
    if (
        getattr(build, "spawn", None)
        and conf.get("INVENTORY_BUILD_PROCESS")
        and shared_cache.cross_process()
    ):
        started = time.monotonic()
        try:
            return _in_child(build, token, wait)
        except Exception as exc:  # whatever kept the child from building
            LOG.warning("lightbits_dashboard: no build process (%s); building in this one", exc)
        free_lock(token)  # the child may have freed it already, or another process taken it
        token = _lock()
        if token is None:
            return None
        wait = max(0.0, wait - (time.monotonic() - started))
    return _in_thread(build, token, wait)


def _lock():
    """The token of the build lock, now taken, or None: someone is building."""
    token = uuid.uuid4().hex
    lock = {"token": token, "started_at": time.time()}
    return token if shared_cache.get_cache().add(LOCK, lock, LOCK_SECONDS) else None


class ChildFailed(RuntimeError):
    """The build process ended with an error within the wait."""


def _in_child(build, token, wait):
    proc = build.spawn(token)
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:

        def reap():  # and free the lock of a child that died holding it
            proc.wait()
            free_lock(token)
            close_caches()

        threading.Thread(target=reap, name="lightbits-inventory-reaper", daemon=True).start()
        return None
    if proc.returncode != 0:
        raise ChildFailed(f"it exited with status {proc.returncode}")
    free_lock(token)
    return shared_cache.get_large(KEY)


def _in_thread(build, token, wait):
    language = translation.get_language()
    done = {}

    def main():
        translation.activate(language)  # the messages the build gives
        try:
            done["head"] = build_locked(build)
        except Exception:
            LOG.exception("lightbits_dashboard: the admin inventory build failed")
        finally:
            free_lock(token)
            close_caches()  # this thread's cache clients

    thread = threading.Thread(target=main, name="lightbits-inventory-build", daemon=True)
    thread.start()
    thread.join(wait)
    head = done.get("head")
    return dict(head, fresh=True) if head else None


def current(build, refresh=False):
    """The head of the inventory to show, or None while the first one is
    being built. ``build()`` -> (Inventory, projects, failed lists) is
    started (start_build) when the inventory is missing, older than
    INVENTORY_MAX_AGE or ``refresh`` is asked, and no one is building it."""
    head = None if refresh else shared_cache.get_large(KEY)
    if head is None or time.time() - head["built_at"] > max_age():
        built = start_build(build)
        if built is not None:
            return built
        if head is None:  # being built: show the previous one, if any
            head = shared_cache.get_large(KEY)
    return head


def status():
    """{"generation": of the stored inventory or "", "building_for": s or None}."""
    head = shared_cache.get_large(KEY) or {}
    return {"generation": head.get("generation", ""), "building_for": building_for()}


def _building():
    return Page(0, {}, {t: [] for t in TABLES}, {}, {}, True, building_for() or 0)


def page(build, head, filters, markers, size):
    """The page's rows; starts a build when pieces were evicted."""
    if head is None:
        return _building()
    try:
        found = read_page(head, filters, markers, size)
    except LookupError:
        head = start_build(build)
        if head is None:
            return _building()
        found = read_page(head, filters, markers, size)
    found.building_for = building_for()
    return found
