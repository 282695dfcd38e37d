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

"""Drive conversions in a background thread of the Horizon process: the
engine (convert.engine.Converter) wired to Horizon, its heartbeat in the
shared cache (jobs), the image's lock held while it runs, its failures in
the ConversionLog. The record lives in the temporary volume's metadata,
then the new image's properties."""

import threading
import uuid

from lightbits_dashboard import conf
from lightbits_dashboard.convert import engine, preflight, record
from lightbits_dashboard.dashboards.project.lightbits_images import data, jobs
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import checks, lock, ops
from lightbits_dashboard.dashboards.project.lightbits_images.conversions.failures import (
    ConversionLog,
)
from lightbits_dashboard.launch import runner


def make_converter(request, key, listed=None, source_id=None):
    """The engine for conversion ``key``; with ``source_id``, its heartbeat
    also renews that image's lock."""
    beat = jobs.heartbeat()
    project_id = request.user.project_id
    image_lock = lock.image_lock()

    def heartbeat():
        beat.beat(key)
        if source_id:
            image_lock.renew(source_id, key)

    def on_stage(rec):
        if rec.stage == record.ERROR:
            ConversionLog().add(project_id, rec)  # visible while rollback runs
        if listed is not None:
            listed.set()  # the temporary volume exists (or the failure is logged)

    return engine.Converter(
        ops.ops(request),
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

    Raises lock.Busy when another conversion of the image runs (any user, project
    or Horizon process): the lock is taken here, atomically, not only checked
    by the preflight."""
    rec = record.ConversionRecord(str(uuid.uuid4()), src.id, src.name, new_name, replace)
    stores = tuple(data.store_volume_types())
    plan = engine.Plan(
        rec, src, checks.store_volume_type(src.store), preflight.temporary_volume_gib(src), stores
    )
    lock.take(request, src.id, rec.conversion_id)
    listed = threading.Event()
    try:
        converter = make_converter(request, rec.conversion_id, listed, src.id)
        work = lock.releasing(src.id, rec.conversion_id, converter.run)
        thread = runner.start(jobs.heartbeat(), rec.conversion_id, work, plan)
    except Exception:
        lock.image_lock().release(src.id, rec.conversion_id)
        raise
    listed.wait(LISTED_WAIT)
    return thread
