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

"""Horizon side of "Make fast-clonable": the preflight facts, the background
driver and the rows of the Conversions page.

Reuses the launches' mechanisms: the driver runs in ``launch.runner``'s
thread with its heartbeat in the plugin's shared cache, the record lives in
the temporary volume's metadata (then the new image's properties), and a
rolled-back conversion is remembered in the cache so that its error stays
visible. The page makes one volume list and one image list (plus cache reads).
"""

import logging
import threading
import time
import uuid

from django.utils.translation import gettext as _
from openstack_dashboard import api, policy
from openstack_dashboard.exceptions import NOT_FOUND

from lightbits_dashboard import conf, model, shared_cache
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.convert import client_ops, engine, lock, preflight, record
from lightbits_dashboard.dashboards.project.lightbits_images import convert_messages as texts
from lightbits_dashboard.dashboards.project.lightbits_images import data, launches
from lightbits_dashboard.launch import runner

LOG = logging.getLogger(__name__)
CINDER_VERSION = "3.1"  # visibility and protected in os-volume_upload_image
UPLOAD_PUBLIC_POLICY = (("volume", "volume_extension:volume_actions:upload_public"),)


def ops(request):
    return client_ops.ClientCloudOps(
        api.cinder.cinderclient(request, version=CINDER_VERSION),
        api.glance.glanceclient(request),
        request.user.project_id,
        error_message=lambda volume_id: lb_cinder.volume_error_message(request, volume_id),
    )


class ConversionLog(launches.FailureLog):
    """Rolled-back conversions per project (a day in the shared cache)."""

    @staticmethod
    def _key(project_id):
        return f"lightbits-convert-failed:{project_id}"

    def put(self, project_id, rec):
        with self._lock:
            entries = self.entries(project_id)
            entries[rec.conversion_id] = {"record": rec, "time": time.time()}
            shared_cache.get_cache().set(self._key(project_id), entries, self.TTL)


# -- before anything is created -------------------------------------------


def source(request, image_id):
    """The preflight's Source: one image get (+ one member list when shared)."""
    image = api.glance.image_get(request, image_id)
    members = ()
    if image.visibility == "shared":
        found = api.glance.glanceclient(request).image_members.list(image_id)
        members = tuple(m["member_id"] for m in found)
    store = model.lightbits_store(image, data.store_volume_types())
    return preflight.source_from(image, members, store)


def store_volume_type(store):
    types = data.store_volume_types().get(store or "", [])
    if not store:  # not on Lightbits yet: the first configured store
        types = next(iter(data.store_volume_types().values()), [])
    return types[0] if types else None


def target_store(src):
    return src.store or next(iter(data.store_volume_types()), None)


def _exists(request, image_id):
    try:
        api.glance.image_get(request, image_id)
    except Exception as exc:
        if isinstance(exc, NOT_FOUND):
            return False
        raise
    return True


def conversion_lock():
    """The per-image lock (convert.lock) in the plugin's shared cache, with the
    heartbeat's lifetime: memcached in deployment, so every Horizon process
    sees it; with a local-memory cache it holds within one process only."""
    ttl = runner.heartbeat_ttl(conf.get("LAUNCH_POLL_INTERVAL"))
    return lock.ConversionLock(shared_cache.get_cache(), ttl)


def _holder(request, conversion_id):
    user = request.user
    return lock.Holder(
        conversion_id,
        user_id=user.id,
        user_name=getattr(user, "username", "") or "",
        project_id=user.project_id,
        project_name=getattr(user, "project_name", "") or "",
    )


def _who(request, holder):
    """(who, params) for preflight.BEING_CONVERTED, as far as this user may know."""
    user = request.user
    sees_all = bool(getattr(user, "is_superuser", False))
    return lock.who(holder, user_id=user.id, project_id=user.project_id, sees_all=sees_all)


def _converting_by(request, src):
    holder = conversion_lock().holder(src.id)
    return _who(request, holder) if holder else None


class Busy(Exception):
    """Another conversion holds the image's lock; ``problem`` says who."""

    def __init__(self, problem):
        super().__init__(problem.code)
        self.problem = problem


def _take_lock(request, source_id, conversion_id):
    """Take the image's lock for ``conversion_id``, or raise Busy."""
    current = conversion_lock().acquire(source_id, _holder(request, conversion_id))
    if current is not None:
        who, params = _who(request, current)
        raise Busy(preflight.Problem(preflight.BEING_CONVERTED, dict(params, who=who)))


def _releasing(source_id, conversion_id, work):
    """``work`` that frees the image's lock when it ends, however it ends."""

    def run(*args):
        try:
            return work(*args)
        finally:
            conversion_lock().release(source_id, conversion_id)

    return run


def _copy_state(request, src):
    """(existing ids, hidden): the copy the source names, if this user sees it.

    Glance answers 404 both for a deleted image and for another project's
    private one; an admin sees every image, so for an admin it is gone."""
    if not src.converted_to:
        return (), False
    if _exists(request, src.converted_to):
        return {src.converted_to}, False
    return (), not getattr(request.user, "is_superuser", False)


def _converting(request, src):
    name = record.temporary_volume_name(src.id)
    volumes = api.cinder.volume_list(request, search_opts={"name": name})
    return {src.id} if any(v.name == name for v in volumes) else set()


def image_usage(request):
    """Glance's unified-limit usage of the user's project (GET /v2/info/usage,
    image API 2.14), or None when Glance cannot say: {} without
    ``use_keystone_limits``, an error from an older Glance."""
    try:
        return lb_glance.usage(request) or None
    except Exception:
        LOG.info("Glance usage unavailable: the new image's quota is not checked.")
        return None


def check(request, src, any_image=False, notes=None):
    """The preflight Problems for converting ``src`` as this user.

    notes: a list that gets preflight.IMAGE_QUOTA_UNCHECKED when Glance's
    quota for the new image cannot be checked."""
    usage_of_images = image_usage(request)
    if notes is not None and not preflight.image_quota_checked(usage_of_images):
        notes.append(preflight.IMAGE_QUOTA_UNCHECKED)
    volume_type = store_volume_type(src.store)
    types = {t.name: getattr(t, "extra_specs", None) for t in api.cinder.volume_type_list(request)}
    existing, copy_hidden = _copy_state(request, src)
    return preflight.check(
        src,
        project_id=request.user.project_id,
        volume_type=volume_type,
        types=types,
        usage=lb_cinder.quota_usage(request),
        existing_image_ids=existing,
        converting_image_ids=_converting(request, src),
        converting_by=_converting_by(request, src),
        copy_hidden=copy_hidden,
        can_publicize=policy.check(UPLOAD_PUBLIC_POLICY, request),
        any_image=any_image,
        image_usage=usage_of_images,
    )


# -- the background driver -------------------------------------------------


def make_converter(request, key, listed=None, source_id=None):
    """The engine for conversion ``key``; with ``source_id``, its heartbeat
    also renews that image's lock."""
    beat = launches.heartbeat()
    project_id = request.user.project_id
    image_lock = conversion_lock()

    def heartbeat():
        beat.beat(key)
        if source_id:
            image_lock.renew(source_id, key)

    def on_stage(rec):
        if rec.stage == record.ERROR:
            ConversionLog().put(project_id, rec)  # visible while rollback runs
        if listed is not None:
            listed.set()  # the temporary volume exists (or the failure is logged)

    return engine.Converter(
        ops(request),
        copy_timeout=conf.get("CONVERT_TIMEOUT"),
        upload_timeout=conf.get("CONVERT_TIMEOUT"),
        hash_timeout=conf.get("CONVERT_TIMEOUT"),
        cleanup_timeout=conf.get("LAUNCH_CLEANUP_TIMEOUT"),
        poll_interval=conf.get("LAUNCH_POLL_INTERVAL"),
        heartbeat=heartbeat,
        on_stage=on_stage,
    )


# Seconds start waits for Cinder to accept the temporary volume.
LISTED_WAIT = 5


def start(request, src, new_name, replace):
    """Start converting ``src`` in the background; returns the thread once
    Cinder has the temporary volume (a few seconds at most), so that the
    Conversions page shown next lists it (its ajax only updates rows it has).

    Raises Busy when another conversion of the image runs (any user, project
    or Horizon process): the lock is taken here, atomically, not only checked
    by the preflight."""
    rec = record.ConversionRecord(str(uuid.uuid4()), src.id, src.name, new_name, replace)
    stores = tuple(data.store_volume_types())
    plan = engine.Plan(
        rec, src, store_volume_type(src.store), preflight.temporary_volume_gib(src), stores
    )
    _take_lock(request, src.id, rec.conversion_id)
    listed = threading.Event()
    try:
        converter = make_converter(request, rec.conversion_id, listed, src.id)
        work = _releasing(src.id, rec.conversion_id, converter.run)
        thread = runner.start(launches.heartbeat(), rec.conversion_id, work, plan)
    except Exception:
        conversion_lock().release(src.id, rec.conversion_id)
        raise
    listed.wait(LISTED_WAIT)
    return thread


# -- the Conversions table -------------------------------------------------


class ConversionRow:
    def __init__(self, rec, state, volume_id=None, message=""):
        self.id = rec.conversion_id
        self.record = rec
        self.state = state
        self.source_name = rec.source_name or rec.source_id
        self.new_name = rec.new_name
        self.image_id = rec.image_id
        self.volume_id = volume_id
        self.message = message
        self.route = texts.ROUTES.get(rec.route, "") if rec.route else ""


def _message(rec, state):
    if state == record.ERROR:
        return texts.failure_text(rec)
    if state == record.INTERRUPTED:
        return texts.INTERRUPTED
    if rec.route == record.ROUTE_GLANCE:
        return texts.WARNINGS[engine.THROUGH_GLANCE]
    return ""


def _rows(project_id, volumes, images):
    """Rows by conversion id: failures, then finished images, then volumes."""
    found = {}
    for volume in volumes:
        if not record.is_temporary_volume(getattr(volume, "name", "")):
            continue
        rec = record.decode(getattr(volume, "metadata", None))
        if rec:
            found[rec.conversion_id] = (rec, volume.id)
    unhashed = set()
    for image in images:
        rec = record.from_image(image.id, image.name, getattr(image, "properties", {}))
        if rec and (rec.stage == record.ACTIVE or rec.conversion_id not in found):
            volume_id = found.get(rec.conversion_id, (None, None))[1]
            found[rec.conversion_id] = (rec, volume_id)
            if not getattr(image, "os_hash_value", None):
                unhashed.add(rec.conversion_id)
    for cid, entry in ConversionLog().entries(project_id).items():
        found[cid] = (entry["record"], found.get(cid, (None, None))[1])
    alive = launches.heartbeat().alive(sorted(found)) if found else set()
    rows = []
    for cid, (rec, volume_id) in found.items():
        state = record.row_state(rec, alive=cid in alive)
        message = _message(rec, state)
        if state == record.ACTIVE and cid in unhashed:
            message = texts.WARNINGS[engine.NOT_HASHED]
        rows.append(ConversionRow(rec, state, volume_id, message))
    return sorted(rows, key=lambda r: (r.source_name, r.id))


def _own_images(request, filters=None):
    filters = dict(filters or {}, owner=request.user.project_id)
    images, _more, _prev = api.glance.image_list_detailed(request, filters=filters)
    return images


def conversion_rows(request):
    """Every conversion of the project: one volume list, one image list."""
    volumes = api.cinder.volume_list(request)
    return _rows(request.user.project_id, volumes, _own_images(request))


def conversion_row(request, row_id):
    """One row for the table's ajax (a filtered volume list and image list)."""
    key = record.PREFIX + "id"
    volumes = api.cinder.volume_list(request, search_opts={"metadata": {key: row_id}})
    images = _own_images(request, {key: row_id})
    for row in _rows(request.user.project_id, volumes, images):
        if row.id == row_id:
            return row
    return None


def _row_or_refuse(request, row_id):
    row = conversion_row(request, row_id)
    if row is None:
        raise ValueError(_("Refused: %s is not a conversion of this project.") % row_id)
    return row


def clean_up(request, row_id):
    """Delete what an interrupted or failed conversion left (background)."""
    row = _row_or_refuse(request, row_id)
    if row.state not in (record.INTERRUPTED, record.ERROR) or not (row.volume_id or row.image_id):
        raise ValueError(_("Only an interrupted or failed conversion that left something."))
    converter = make_converter(request, row_id)
    runner.start(launches.heartbeat(), row_id, converter.clean_up, row.record, row.volume_id)


def finish(request, row_id):
    """Resume an interrupted conversion from its recorded stage (background),
    or refuse (ValueError) with why it cannot be finished safely."""
    row = _row_or_refuse(request, row_id)
    if row.state != record.INTERRUPTED:
        raise ValueError(texts.finish_refusal(engine.FINISH_NOT_INTERRUPTED, row.state))
    src = source(request, row.record.source_id)
    converter = make_converter(request, row_id, source_id=src.id)
    step, refusal = converter.resume_point(row.record, row.volume_id)
    if refusal:
        raise ValueError(texts.finish_refusal(*refusal))
    stores = tuple(data.store_volume_types())
    size = preflight.temporary_volume_gib(src)
    plan = engine.Plan(row.record, src, store_volume_type(src.store), size, stores)
    try:
        _take_lock(request, src.id, row_id)
    except Busy as busy:
        raise ValueError(texts.problem_text(busy.problem))
    work = _releasing(src.id, row_id, converter.finish)
    runner.start(launches.heartbeat(), row_id, work, plan, row.volume_id, step)


def dismiss(request, row_id):
    """Forget a finished conversion; both images and their pointers stay."""
    row = _row_or_refuse(request, row_id)
    if row.state == record.ERROR and not row.volume_id:
        ConversionLog().remove(request.user.project_id, row_id)
        return
    if row.state != record.ACTIVE:
        raise ValueError(_("Only a finished conversion can be dismissed."))
    glance = api.glance.glanceclient(request)
    glance.images.update(row.image_id, remove_props=[record.IMAGE_STATE])
