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

"""Probe clone path: does Cinder clone a boot volume from this image, here, now?

One minimal volume from a raw Lightbits image, in a chosen volume type:
Cinder either clones it (never ``downloading``) or copies it (passes through
``downloading``: launch.clone_check). Where the Lightbits cluster is
readable, a clone's Lightbits volume must also have a source snapshot. The
volume is deleted in every case; a copy cannot be deleted before Cinder
finishes it, so that delete is handed to ``later`` (a background thread in
Horizon). This is the one check that covers what no API shows
(``allowed_direct_url_schemes``, host/pool matching, silent driver failures).

Plain Python: the cloud is an injected ``ops`` object, time is injected.
Results are codes; the panel says them in words.
"""

import logging
import time
from dataclasses import dataclass, replace

from lightbits_dashboard import clone_path, model
from lightbits_dashboard.launch import clone_check
from lightbits_dashboard.message import msg

LOG = logging.getLogger(__name__)

MARK = "lightbits_probe"  # metadata key on the probe volume (its image id)
GIB = 1024**3

# error codes
CREATE_REFUSED = "create_refused"
VOLUME_ERROR = "volume_error"
TIMED_OUT = "timed_out"
GONE = "gone"


# why an image is not probed (Message codes)
NOT_ON_LIGHTBITS = "probe_not_on_lightbits"


def refusals(image, lightbits_stores):
    """Why ``image`` cannot be probed, as Messages ([]: it can be).

    Cinder clones only an active raw/bare image in a Lightbits store: of any
    other image a probe would make a full copy and say nothing about the
    clone path (the images table offers the action only when this is []).
    """
    found = [
        check.message
        for check in (clone_path.check_active(image), clone_path.check_raw_bare(image))
        if not check.ok
    ]
    if not model.lightbits_store(image, lightbits_stores):
        found.append(msg(NOT_ON_LIGHTBITS))
    return found


@dataclass(frozen=True)
class Result:
    kind: str = ""  # clone_check.CLONE / COPY; "" when the probe failed
    seconds: float | None = None  # to available (clone) or to downloading (copy)
    lightbits_clone: bool | None = (
        None  # the Lightbits volume has a source snapshot; None: not read
    )
    error: str = ""  # one of the codes above
    detail: str = ""  # Cinder's own words for a refusal
    volume_id: str | None = None
    left_behind: bool = False  # the volume could not be deleted (its id in volume_id)
    deleting_later: bool = False  # a copy: deleted once Cinder finishes writing it


def probe_size_gib(image):
    """The smallest volume that holds the image: its virtual size, min_disk, 1 GiB."""
    size = getattr(image, "virtual_size", None) or getattr(image, "size", 0) or 0
    return max(1, -(-int(size) // GIB), int(getattr(image, "min_disk", 0) or 0))


class Prober:
    """``ops``: create_volume(name, size, type, image_id, metadata) -> id,
    volume_status(id) -> status or None when gone, delete_volume(id),
    lightbits_source(id) -> True/False/None (has a source snapshot)."""

    def __init__(
        self,
        ops,
        *,
        timeout=120,
        cleanup_timeout=300,
        poll_interval=0.5,
        clock=time.monotonic,
        sleep=time.sleep,
        later=lambda work: work(),
    ):
        self.ops, self.timeout, self.cleanup_timeout = ops, timeout, cleanup_timeout
        self.poll_interval, self.clock, self.sleep, self.later = poll_interval, clock, sleep, later

    def run(self, image_id, volume_type, size, name):
        started = self.clock()
        try:
            volume_id = self.ops.create_volume(name, size, volume_type, image_id, {MARK: image_id})
        except Exception as exc:
            return Result(error=CREATE_REFUSED, detail=str(exc))
        watch = clone_check.Watch(started)
        status = self._watch(volume_id, watch, started)
        kind, seconds = watch.result(self.clock())
        if status in (None, "error") or (status != "available" and not watch.copying):
            error = {None: GONE, "error": VOLUME_ERROR}.get(status, TIMED_OUT)
            return self._clean(Result(error=error, volume_id=volume_id))
        lightbits = self._lightbits(volume_id) if kind == clone_check.CLONE else None
        return self._clean(Result(kind, seconds, lightbits, volume_id=volume_id))

    def _watch(self, volume_id, watch, started):
        """Poll until available, error, gone, copying, or the time-out; the last status."""
        while True:
            status = self.ops.volume_status(volume_id)
            if status is None or status in ("available", "error") or watch.see(status):
                return status
            if self.clock() - started >= self.timeout:
                return status
            self.sleep(self.poll_interval)

    def _lightbits(self, volume_id):
        try:
            return self.ops.lightbits_source(volume_id)
        except Exception:
            LOG.info("Probe: the Lightbits volume could not be read", exc_info=True)
            return None

    def _clean(self, result):
        """Delete the probe volume now, or (still being made) once it can be."""
        status = self.ops.volume_status(result.volume_id)
        if status is None:
            return result
        if status in model.VOLUME_DELETABLE and self._delete(result.volume_id):
            return result
        if status in model.VOLUME_DELETABLE:
            return _with(result, left_behind=True)
        self.later(lambda: self._delete_when_ready(result.volume_id))
        return _with(result, deleting_later=True)

    def _delete(self, volume_id):
        try:
            self.ops.delete_volume(volume_id)
            return True
        except Exception:
            LOG.warning("Probe volume %s not deleted", volume_id, exc_info=True)
            return False

    def _delete_when_ready(self, volume_id):
        deadline = self.clock() + self.cleanup_timeout
        while self.clock() < deadline:
            try:
                status = self.ops.volume_status(volume_id)
            except Exception:
                status = "unknown"
            if status is None or (status in model.VOLUME_DELETABLE and self._delete(volume_id)):
                return True
            self.sleep(self.poll_interval)
        LOG.warning("Probe volume %s left behind (still %s)", volume_id, status)
        return False


def _with(result, **changes):
    return replace(result, **changes)
