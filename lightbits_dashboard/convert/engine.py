"""The conversion's stages, with rollback: copying -> converting -> registering
-> active.

The cloud is an injected ``ops`` object (``CloudOps``), time too (``clock``,
``sleep``), as in ``launch.orchestrator``. A failure names its stage and a
code (the panel says it); rollback deletes the temporary volume and any
half-made image (and a clone Cinder left), and undoes the pointer on the
source image. The source image is never deleted.
"""

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from lightbits_dashboard import model
from lightbits_dashboard.convert import record
from lightbits_dashboard.launch import polling

LOG = logging.getLogger(__name__)

# failure codes (with one ``reason`` parameter)
CREATE_REFUSED = "create_refused"  # Cinder refused the temporary volume
VOLUME_ERROR = "volume_error"  # the temporary volume went to error
VOLUME_GONE = "volume_gone"
VOLUME_STATUS = "volume_status"  # an unexpected status
TIMEOUT = "timeout"  # reason: seconds
UPLOAD_REFUSED = "upload_refused"  # Cinder refused upload-to-image
IMAGE_FAILED = "image_failed"  # the new image was killed or deleted; reason: status
IMAGE_GONE = "image_gone"
NOT_ON_LIGHTBITS = "not_on_lightbits"  # the new image landed elsewhere; reason: stores
METADATA_REFUSED = "metadata_refused"  # Glance refused carrying the metadata over
UNEXPECTED = "unexpected"
# why an interrupted conversion cannot be finished (Finish refuses)
FINISH_NOT_INTERRUPTED = "finish_not_interrupted"  # reason: its stage
FINISH_VOLUME_GONE = "finish_volume_gone"  # the temporary volume is gone
FINISH_VOLUME_FAILED = "finish_volume_failed"  # reason: its status
FINISH_UPLOAD_UNKNOWN = "finish_upload_unknown"  # stopped while Cinder uploaded
# where Finish resumes
STEP_COPY, STEP_UPLOAD, STEP_REGISTER = "copy", "upload", "register"
STEPS = (STEP_COPY, STEP_UPLOAD, STEP_REGISTER)
# warnings on success
THROUGH_GLANCE = "uploaded_through_glance"
NOT_HASHED = "not_hashed"  # Glance still reads the image volume: boot volumes may copy

VOLUME_COPYING = ("creating", "downloading")
VOLUME_UPLOADING = ("uploading",)
IMAGE_WAITING = ("queued", "saving", "importing", "uploading")
# Properties that describe the old image's bytes or Glance's own state.
NOT_CARRIED_PREFIXES = ("os_glance_", "owner_specified.", "img_signature", "lightbits_convert")
NOT_CARRIED = {record.CONVERTED_TO, record.CONVERTED_FROM, "os_hidden", "stores"}


class CloudOps(Protocol):
    def create_volume(self, name, size, volume_type, image_id, metadata) -> str: ...

    def get_volume(self, volume_id): ...  # orchestrator.VolumeState or None

    def set_volume_metadata(self, volume_id, metadata) -> None: ...

    def delete_volume(self, volume_id) -> None: ...

    def upload_to_image(self, volume_id, name, visibility) -> str: ...  # new image id

    def get_image(self, image_id): ...  # ImageState or None when gone

    # Does Glance hash a location Cinder registers (its new location API)?
    def glance_hashes_locations(self) -> bool: ...

    def update_image(self, image_id, changes, remove=()) -> None: ...

    def add_tags(self, image_id, tags) -> None: ...

    def add_members(self, image_id, members) -> None: ...

    def delete_image(self, image_id) -> None: ...

    # clone / glance / unknown: is the image's volume Cinder's clone of volume_id?
    def upload_route(self, image_id, volume_id) -> str: ...

    def volumes_named(self, name) -> list: ...  # ids of the project's volumes

    def image_volume_ids(self, image_id) -> list: ...  # the image's volumes the project sees

    def remove_volume_metadata(self, volume_id, keys) -> None: ...

    # ids of the project's images of this name, not active, naming no source
    def half_made_images(self, name) -> list: ...


@dataclass(frozen=True)
class ImageState:
    status: str
    stores: tuple = ()
    properties: dict | None = None
    protected: bool = False
    hashed: bool = False  # Glance's os_hash_value is set


@dataclass(frozen=True)
class Plan:
    record: record.ConversionRecord
    source: object  # preflight.Source
    volume_type: str
    volume_size: int
    lightbits_stores: tuple


@dataclass(frozen=True)
class Outcome:
    record: record.ConversionRecord
    ok: bool
    volume_id: str | None = None
    warning: str = ""
    left_behind: tuple = ()


class Failure(Exception):
    def __init__(self, code, reason=""):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason = code, str(reason)


def carried_properties(source):
    """The source's own properties the new image gets (strings), with min_disk/min_ram."""
    props = {
        k: str(v)
        for k, v in (source.properties or {}).items()
        if k not in NOT_CARRIED and not k.startswith(NOT_CARRIED_PREFIXES)
    }
    props.update(min_disk=int(source.min_disk or 0), min_ram=int(source.min_ram or 0))
    return props


def _status_probe(get, ready, waiting, gone, refused):
    """A poll probe of ``get()``: the thing once its status is ``ready``, None
    while it is ``waiting``; Failure(gone) when it is gone, ``refused(thing)``
    (a Failure) on any other status."""

    def probe():
        thing = get()
        if thing is None:
            raise Failure(gone)
        if thing.status == ready:
            return thing
        if thing.status not in waiting:
            raise refused(thing)
        return None

    return probe


class Converter:
    def __init__(
        self,
        ops,
        *,
        copy_timeout=1800,
        upload_timeout=1800,
        hash_timeout=600,
        cleanup_timeout=120,
        poll_interval=2,
        clock=time.monotonic,
        sleep=time.sleep,
        heartbeat=lambda: None,
        on_stage=lambda rec: None,
        on_outcome=lambda outcome: None,
    ):
        self.ops = ops
        self.copy_timeout, self.upload_timeout = copy_timeout, upload_timeout
        self.hash_timeout = hash_timeout
        self.cleanup_timeout, self.poll_interval = cleanup_timeout, poll_interval
        self.clock, self.sleep, self.heartbeat = clock, sleep, heartbeat
        self.on_stage, self.on_outcome = on_stage, on_outcome

    # -- the run -------------------------------------------------------------

    def run(self, plan):
        rec = plan.record.with_(stage=record.COPYING)
        return self._go(plan, rec, {"volume_id": None}, STEP_COPY)

    def _go(self, plan, rec, state, first):
        """Run the steps from ``first``; roll back on any failure."""
        try:
            rec = self._drive(plan, rec, state, first)
        except Exception as exc:
            failure = exc if isinstance(exc, Failure) else Failure(UNEXPECTED, exc)
            return self._fail(plan, state.get("rec", rec), failure, state)
        outcome = Outcome(rec, True, state["volume_id"], state.get("warning", ""))
        outcome = self._finish_ok(outcome)
        self._quietly(self.on_outcome, outcome)
        return outcome

    def _drive(self, plan, rec, state, first):
        state["rec"] = rec
        steps = {STEP_COPY: self._copy, STEP_UPLOAD: self._upload, STEP_REGISTER: self._register}
        for step in STEPS[STEPS.index(first) :]:
            rec = steps[step](plan, rec, state)
        return rec

    def _copy(self, plan, rec, state):
        if state["volume_id"] is None:
            state["volume_id"] = self._create(plan, rec)
        self._quietly(self.on_stage, rec)
        self._wait_volume(state["volume_id"], VOLUME_COPYING, self.copy_timeout)
        return rec

    def _create(self, plan, rec):
        try:
            volume_id = self.ops.create_volume(
                record.temporary_volume_name(plan.source.id),
                plan.volume_size,
                plan.volume_type,
                plan.source.id,
                record.encode(rec),
            )
        except Exception as exc:
            raise Failure(CREATE_REFUSED, exc)
        return volume_id

    def _upload(self, plan, rec, state):
        volume_id = state["volume_id"]
        rec = self._advance(state, rec.with_(stage=record.CONVERTING))
        try:
            image_id = self.ops.upload_to_image(
                volume_id, plan.record.new_name, plan.source.visibility
            )
        except Exception as exc:
            raise Failure(UPLOAD_REFUSED, exc)
        # Cinder refuses metadata changes of an uploading volume: the image
        # id reaches the record once the volume is back (registering).
        rec = self._advance(state, rec.with_(image_id=image_id), persist=False)
        self._wait_volume(volume_id, VOLUME_UPLOADING, self.upload_timeout)
        return rec

    def _register(self, plan, rec, state):
        volume_id, image_id = state["volume_id"], rec.image_id
        rec = self._advance(state, rec.with_(stage=record.REGISTERING))
        image = self._wait_image(image_id)
        if not set(image.stores) & set(plan.lightbits_stores):
            raise Failure(NOT_ON_LIGHTBITS, ",".join(image.stores) or "none")
        route = self.ops.upload_route(image_id, volume_id)
        if route == record.ROUTE_GLANCE:
            state["warning"] = THROUGH_GLANCE
        rec = self._advance(state, rec.with_(route=route))
        self._clear_copied_record(image_id, volume_id)
        # Glance's location import saves the image it loaded once it has hashed
        # the volume: metadata written before then is lost.
        if self.ops.glance_hashes_locations() and not self._wait_hashed(image_id):
            state["warning"] = state.get("warning") or NOT_HASHED
        self._carry_metadata(plan, rec, state)
        return rec.with_(stage=record.ACTIVE)

    def _clear_copied_record(self, image_id, volume_id):
        """Cinder's clone of the temporary volume (the new image volume) got its
        metadata, the conversion's working record included: remove it there,
        where it would outlive the run (best effort; an image volume the
        project cannot see keeps it)."""
        for image_volume_id in self._quiet_list(self.ops.image_volume_ids, image_id):
            if image_volume_id != volume_id:
                self._quietly(self._remove_record, image_volume_id)

    def _remove_record(self, volume_id):
        found = self.ops.get_volume(volume_id)
        keys = record.record_keys(found.metadata if found else {})
        if keys:
            self.ops.remove_volume_metadata(volume_id, keys)

    # -- finishing an interrupted conversion -----------------------------------

    def resume_point(self, rec, volume_id):
        """(step, None) where Finish resumes an interrupted conversion, or
        (None, (code, reason)) when it cannot be finished safely (then Clean
        Up is the way). The record's stage decides, checked against what the
        temporary volume (and, interrupted while Cinder uploaded, the
        project's half-made images) show now."""
        if rec.stage not in record.STAGES:
            return None, (FINISH_NOT_INTERRUPTED, rec.stage)
        volume = self.ops.get_volume(volume_id) if volume_id else None
        if volume is None:
            return None, (FINISH_VOLUME_GONE, "")
        status = volume.status
        if rec.stage == record.COPYING:
            if status in VOLUME_COPYING + ("available",):
                return STEP_COPY, None  # Cinder goes on copying without us
            return None, (FINISH_VOLUME_FAILED, status)
        if rec.stage == record.CONVERTING:
            # The new image's id reaches the record only after the upload: with
            # an upload under way or a half-made image, which image is ours
            # cannot be told for sure.
            if status in VOLUME_UPLOADING or self.ops.half_made_images(rec.new_name):
                return None, (FINISH_UPLOAD_UNKNOWN, status)
            if status == "available":
                return STEP_UPLOAD, None
            return None, (FINISH_VOLUME_FAILED, status)
        if not rec.image_id:
            return None, (FINISH_UPLOAD_UNKNOWN, status)
        if status != "available":
            return None, (FINISH_VOLUME_FAILED, status)
        return STEP_REGISTER, None

    def finish(self, plan, volume_id, step):
        """Resume ``plan`` (its record as read from the temporary volume) at
        ``step`` (resume_point's); a failure rolls back as in run()."""
        # registering: the source may already point at the new image
        state = {"volume_id": volume_id, "source_touched": step == STEP_REGISTER}
        return self._go(plan, plan.record, state, step)

    def _wait_hashed(self, image_id):
        """Glance hashes the image volume after activating the image
        (do_secure_hash): while it reads the volume, Cinder copies instead of
        cloning a boot volume from it. Not an error when it never ends (hashing
        may be off): the outcome says so."""

        def probe():
            image = self.ops.get_image(image_id)
            if image is None:
                raise Failure(IMAGE_GONE)
            return True if image.hashed else None

        return bool(self._wait(self.hash_timeout, probe))

    def _advance(self, state, rec, persist=True):
        """Record the new stage on the temporary volume (best effort) and say it."""
        state["rec"] = rec
        if persist:
            keys = record.state_keys(rec)
            self._quietly(self.ops.set_volume_metadata, state["volume_id"], keys)
        self._quietly(self.on_stage, rec)
        return rec

    def _carry_metadata(self, plan, rec, state):
        source, image_id = plan.source, rec.image_id
        try:
            changes = carried_properties(source)
            changes.update(record.new_image_properties(rec))
            if source.virtual_size:
                changes[record.SOURCE_VIRTUAL_SIZE] = str(int(source.virtual_size))
            self.ops.update_image(image_id, changes)
            if source.tags:
                self.ops.add_tags(image_id, list(source.tags))
            if source.members:
                self.ops.add_members(image_id, list(source.members))
            old = {record.CONVERTED_TO: image_id}
            if plan.record.replace:
                old["os_hidden"] = True
            state["source_touched"] = True
            self.ops.update_image(source.id, old)
            if source.protected:
                self.ops.update_image(image_id, {"protected": True})
        except Exception as exc:
            raise Failure(METADATA_REFUSED, exc)

    def _finish_ok(self, outcome):
        rec = outcome.record
        self._quietly(self.ops.update_image, rec.image_id, {record.IMAGE_STATE: record.ACTIVE})
        left = () if self._delete_volume(outcome.volume_id) else (outcome.volume_id,)
        return Outcome(rec, True, outcome.volume_id, outcome.warning, left)

    # -- waiting -------------------------------------------------------------

    def _wait(self, timeout, probe):
        return polling.poll(
            probe,
            timeout=timeout,
            interval=self.poll_interval,
            clock=self.clock,
            sleep=self.sleep,
            heartbeat=self.heartbeat,
            fatal=Failure,
            what="Conversion",
        )

    def _wait_status(self, timeout, probe):
        """The thing ``probe`` returns, or Failure(TIMEOUT) at ``timeout``."""
        found = self._wait(timeout, probe)
        if found is None:
            raise Failure(TIMEOUT, timeout)
        return found

    def _wait_volume(self, volume_id, waiting, timeout):
        def refused(volume):
            if volume.status == "error":
                return Failure(VOLUME_ERROR, volume.error or "")
            return Failure(VOLUME_STATUS, volume.status)

        probe = _status_probe(
            lambda: self.ops.get_volume(volume_id), "available", waiting, VOLUME_GONE, refused
        )
        self._wait_status(timeout, probe)

    def _wait_image(self, image_id):
        def refused(image):
            return Failure(IMAGE_FAILED, image.status)

        probe = _status_probe(
            lambda: self.ops.get_image(image_id), "active", IMAGE_WAITING, IMAGE_GONE, refused
        )
        return self._wait_status(self.upload_timeout, probe)

    # -- failure and rollback --------------------------------------------------

    def _fail(self, plan, rec, failure, state):
        failed = rec.with_(
            stage=record.ERROR,
            error=failure.code,
            failed_stage=rec.stage,
            reason=failure.reason,
        )
        self._quietly(self.on_stage, failed)
        left = self.roll_back(
            failed, state.get("volume_id"), source_touched=state.get("source_touched")
        )
        outcome = Outcome(failed, False, state.get("volume_id"), left_behind=tuple(left))
        if outcome.volume_id in left:
            keys = record.state_keys(failed)
            self._quietly(self.ops.set_volume_metadata, outcome.volume_id, keys)
        self._quietly(self.on_outcome, outcome)
        return outcome

    def roll_back(self, rec, volume_id, source_touched=True):
        """Delete the half-made image, a clone Cinder left, the temporary volume;
        undo the source's pointer. Returns what is left (ids)."""
        left = []
        if source_touched and rec.image_id:
            self._quietly(self._untouch_source, rec)
        if rec.image_id:
            if not self._delete_image(rec.image_id):
                left.append(rec.image_id)
            orphans = self._quiet_list(
                self.ops.volumes_named, model.image_volume_name(rec.image_id)
            )
            left += [v for v in orphans if not self._delete_volume(v)]
        if volume_id and not self._delete_volume(volume_id):
            left.append(volume_id)
        return left

    def clean_up(self, rec, volume_id):
        """Roll back an interrupted conversion from its record.

        Interrupted while Cinder uploaded, the record has no image id yet: the
        half-made image is the project's not yet active image of the new name
        that names no source.
        """
        if not rec.image_id and rec.stage == record.CONVERTING:
            half_made = self._quiet_list(self.ops.half_made_images, rec.new_name)
            for image_id in half_made:
                if not self._delete_image(image_id):
                    return [image_id]
        left = self.roll_back(rec, volume_id, source_touched=rec.stage == record.REGISTERING)
        if volume_id in left:
            failed = rec.with_(stage=record.ERROR, error=UNEXPECTED, reason="clean up left it")
            self._quietly(self.ops.set_volume_metadata, volume_id, record.state_keys(failed))
        return left

    def _untouch_source(self, rec):
        source = self.ops.get_image(rec.source_id)
        props = (source.properties or {}) if source else {}
        if props.get(record.CONVERTED_TO) != rec.image_id:
            return
        changes = {"os_hidden": False} if rec.replace else {}
        self.ops.update_image(rec.source_id, changes, remove=(record.CONVERTED_TO,))

    def _delete_image(self, image_id):
        """Glance may refuse while it still hashes the new volume: retry."""

        def probe():
            image = self.ops.get_image(image_id)
            if image is None or image.status in ("deleted", "pending_delete"):
                return True
            try:
                if image.protected:
                    self.ops.update_image(image_id, {"protected": False})
                self.ops.delete_image(image_id)
            except Exception:
                return None
            return None  # confirmed gone on the next poll

        return bool(self._wait(self.cleanup_timeout, probe))

    def _delete_volume(self, volume_id):
        probe = polling.volume_deleted_probe(self.ops, volume_id)
        return bool(self._wait(self.cleanup_timeout, probe))

    @staticmethod
    def _quiet_list(func, *args):
        try:
            return list(func(*args))
        except Exception:
            LOG.warning("Conversion clean-up lookup failed (%s)", func.__name__, exc_info=True)
            return []

    @staticmethod
    def _quietly(func, *args, **kwargs):
        try:
            func(*args, **kwargs)
        except Exception:
            LOG.warning("Conversion bookkeeping failed (%s)", func.__name__, exc_info=True)
