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

"""Clone -> wait -> boot -> wait, with rollback, for each instance of a launch.

The cloud is an injected ``ops`` object (see ``CloudOps``); time is injected
too (``clock``, ``sleep``), so tests drive every branch without Django or a
cloud. Rollback deletes only what this launch created for the failed
instance: its server, then its boot volume (and, launched from snapshots,
its data volumes).

A plan with ``volumes`` (snapshot_plan.VolumeRequest, root first) launches
from Cinder snapshots: each instance gets one volume per request, made
with ``create_volume_from_snapshot``, recorded on the root volume
(record.AttachedVolume), each verified on the Lightbits side when ``ops``
can read it (``lightbits_volume``: its source must be the snapshot's
Lightbits snapshot), and the server boots with ``boot_server_bdm``.

What it says to the user (failures, summaries) is a ``Message``: a code the
panel translates, with the clouds' own words as parameters.
"""

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

from lightbits_dashboard.launch import clone_check, polling, quota, record, sizing, snapshot_plan
from lightbits_dashboard.message import Message, msg

LOG = logging.getLogger(__name__)

VOLUME_WAITING = ("creating", "downloading")


class CloudOps(Protocol):
    """What the orchestrator needs from the cloud (Horizon's api in production)."""

    def quota_usage(self, volume_type) -> dict: ...  # name -> (limit, in use)

    def create_volume(self, name, size, volume_type, image_id, metadata) -> str: ...

    def get_volume(self, volume_id): ...  # VolumeState or None when gone

    def delete_volume(self, volume_id) -> None: ...

    def set_metadata(self, volume_id, metadata) -> None: ...

    def delete_metadata(self, volume_id, keys) -> None: ...

    def boot_server(self, name, spec, volume_id) -> str: ...

    def get_server(self, server_id): ...  # ServerState or None when gone

    def delete_server(self, server_id) -> None: ...

    # The server this launch booted on the volume: by the volume's attachment,
    # else by its name and the boot-volume mark (a server that failed before
    # the attachment, e.g. ERROR in scheduling, leaves the volume "reserved").
    def find_server(self, volume_id, server_name) -> str | None: ...

    # Launches from snapshots only (plans with ``volumes``):
    def create_volume_from_snapshot(
        self, name, size, volume_type, snapshot_id, metadata
    ) -> str: ...

    # one server booted on every volume (``block_device_mapping`` is Nova's
    # bdm v2 list); ``boot_volume_id`` is the root, for the server's mark
    def boot_server_bdm(self, name, spec, block_device_mapping, boot_volume_id) -> str: ...

    # optional: the Lightbits volume behind a Cinder volume (a dict of the
    # cluster's API), or None when it cannot be read; absent: not verified
    def lightbits_volume(self, volume_id): ...


@dataclass(frozen=True)
class VolumeState:
    status: str
    error: str = ""  # Cinder's own message when status is error
    metadata: dict | None = None
    volume_type: str = ""
    snapshot_id: str = ""


@dataclass(frozen=True)
class ServerState:
    status: str
    fault: str = ""  # Nova's fault message when status is ERROR


@dataclass(frozen=True)
class LaunchPlan:
    name: str
    count: int
    image_id: str
    volume_size: int
    volume_type: str
    spec: record.ServerSpec
    vcpus: int = 0
    ram_mb: int = 0
    launch_id: str = ""
    expected: str = ""  # clone_check.CLONE/COPY: what the clone path said
    require_clone: bool = False  # stop an instance whose boot volume Cinder copies
    # snapshot_plan.VolumeRequest per volume of each instance, root first:
    # a launch from snapshots (``image_id`` names the image or the snapshot)
    volumes: tuple = ()

    def attached_volumes(self):
        return tuple(
            record.AttachedVolume(
                snapshot_id=r.snapshot_id,
                role=r.role,
                device_name=r.device_name,
                boot_index=r.boot_index,
                delete_on_termination=r.delete_on_termination,
                disk_bus=r.disk_bus,
                device_type=r.device_type,
            )
            for r in self.volumes
        )

    def records(self):
        launch_id = self.launch_id or str(uuid.uuid4())
        volumes = self.attached_volumes()
        return [
            record.LaunchRecord(
                launch_id=launch_id,
                name=self.name,
                index=i,
                count=self.count,
                server_name=server_name,
                image_id=self.image_id,
                state=record.CLONING,
                spec=self.spec,
                expected=self.expected,
                require_clone=self.require_clone,
                volumes=volumes,
            )
            for i, server_name in enumerate(sizing.server_names(self.name, self.count), 1)
        ]


@dataclass(frozen=True)
class Outcome:
    record: record.LaunchRecord
    ok: bool
    volume_id: str | None = None
    server_id: str | None = None
    error: Message | None = None
    left_behind: tuple = ()  # what rollback could not delete (ids)


class QuotaRefused(Exception):
    """``messages``: one Message per quota the launch would exceed."""

    def __init__(self, messages):
        super().__init__(", ".join(m.code for m in messages))
        self.messages = list(messages)


class Failure(Exception):
    """One instance failed: ``message`` (a Message) says what and why."""

    def __init__(self, message, volume_id=None, server_id=None, record=None):
        super().__init__(message.code)
        self.message = message
        self.volume_id, self.server_id = volume_id, server_id
        self.record = record  # the instance's record as the failure left it, if changed


NO_BACKEND = "No valid backend"
NO_WEIGHED_BACKEND = "available weighted backend"


def volume_error(name, cinder_error):
    """The boot volume went to error: Cinder's own message, and whether it is a
    scheduling failure (the panel then says what that usually means here)."""
    if not cinder_error:
        return msg("volume_error_no_reason", volume=name)
    no_backend = NO_BACKEND in cinder_error or NO_WEIGHED_BACKEND in cinder_error
    return msg("volume_error", volume=name, error=cinder_error, no_backend=no_backend)


def summarize(outcomes):
    """One Message for the user: "2 of 3 launched; vm-3 failed: <reason>"."""
    launched = [o for o in outcomes if o.ok]
    failed = [
        msg("instance_failed", server=o.record.server_name, error=o.error)
        for o in outcomes
        if not o.ok
    ]
    if not failed:
        if len(outcomes) == 1:
            return msg("launched_one", server=outcomes[0].record.server_name)
        return msg("launched_all", launched=len(launched), total=len(outcomes))
    if len(outcomes) == 1:
        return failed[0]
    return msg("launched_some", launched=len(launched), total=len(outcomes), failed=failed)


class _Countdown:
    """Calls ``then()`` once, when ``done()`` was called ``count`` times."""

    def __init__(self, count, then):
        self.count, self.then = count, then
        self.lock = threading.Lock()

    def done(self):
        with self.lock:
            self.count -= 1
            last = self.count == 0
        if last:
            self.then()


class Launcher:
    def __init__(
        self,
        ops,
        *,
        clone_timeout=300,
        boot_timeout=600,
        cleanup_timeout=120,
        poll_interval=2,
        volume_poll_interval=None,
        clock=time.monotonic,
        sleep=time.sleep,
        heartbeat=lambda: None,
        on_outcome=lambda outcome, summary: None,
        on_failure=lambda outcome: None,
        on_volumes_requested=lambda: None,
        backend_down=lambda volume_type: None,
    ):
        self.ops = ops
        self.clone_timeout, self.boot_timeout = clone_timeout, boot_timeout
        self.cleanup_timeout, self.poll_interval = cleanup_timeout, poll_interval
        # Boot volumes are polled more often: a short "downloading" phase
        # (a copy, not a clone) must not slip between two polls.
        if volume_poll_interval is None:
            volume_poll_interval = min(poll_interval, 0.5)
        self.volume_poll_interval = volume_poll_interval
        self.clock, self.sleep, self.heartbeat = clock, sleep, heartbeat
        self.on_outcome = on_outcome
        # Called as soon as one instance fails, before its rollback deletes
        # anything: the failure is visible while the rest of the launch runs.
        self.on_failure = on_failure
        # Called once every boot volume of a run() was requested (or refused):
        # from then on the launch is visible in a volume list.
        self.on_volumes_requested = on_volumes_requested
        # volume type -> why no volume can be made on it now (its Lightbits
        # cluster does not answer), or None: a clone waiting on a backend that
        # is down fails at once with that reason, not after clone_timeout
        # (Cinder's LightOS driver retries an unreachable cluster for minutes).
        self.backend_down = backend_down

    # -- before anything is created --------------------------------------

    def check_quotas(self, plan):
        """Raise QuotaRefused naming each quota the whole launch would exceed."""
        if plan.volumes:
            needs = snapshot_plan.quota_needs(plan.count, plan.volumes, plan.vcpus, plan.ram_mb)
        else:
            needs = quota.launch_needs(
                plan.count, plan.vcpus, plan.ram_mb, plan.volume_size, plan.volume_type
            )
        problems = quota.refusals(needs, self.ops.quota_usage(plan.volume_type))
        if problems:
            raise QuotaRefused(problems)

    # -- a new launch ----------------------------------------------------

    def run(self, plan, records=None):
        """Launch every instance concurrently; return their Outcomes.

        The N boot volumes are requested at once (one worker per instance);
        each server boots as soon as its own volume is available.
        """
        records = records or plan.records()
        requested = _Countdown(len(records), self.on_volumes_requested)
        with ThreadPoolExecutor(max_workers=len(records)) as pool:
            outcomes = list(
                pool.map(lambda rec: self._new_instance(plan, rec, requested), records)
            )
        self._record_outcomes(outcomes)
        return outcomes

    def _new_instance(self, plan, rec, requested):
        if plan.volumes:
            return self._new_snapshot_instance(plan, rec, requested)
        started = self.clock()
        try:
            volume_id = self.ops.create_volume(
                sizing.boot_volume_name(rec.server_name),
                plan.volume_size,
                plan.volume_type,
                plan.image_id,
                record.encode(rec),
            )
        except Exception as exc:
            return Outcome(rec, False, error=msg("volume_refused", error=str(exc)))
        finally:
            requested.done()
        return self._drive(rec, volume_id, started)

    def _new_snapshot_instance(self, plan, rec, requested):
        """Every volume of one instance from its snapshot, root first; the
        ids recorded on the root. A refused create deletes those made."""
        started, made = self.clock(), []
        try:
            for request in plan.volumes:
                metadata = record.encode(rec) if not made else record.data_keys(rec, made[0])
                made.append(
                    self.ops.create_volume_from_snapshot(
                        request.volume_name(rec.server_name),
                        request.size,
                        request.volume_type,
                        request.snapshot_id,
                        metadata,
                    )
                )
            volumes = [rec.volumes[0]]
            volumes += [
                replace(v, volume_id=i) for v, i in zip(rec.volumes[1:], made[1:], strict=True)
            ]
            rec = rec.with_(volumes=tuple(volumes))
            if len(made) > 1:
                self.ops.set_metadata(made[0], record.volume_keys(rec))
        except Exception as exc:
            error = msg("volume_refused", error=str(exc))
            left = [v for v in made if not self._delete_volume(v)]
            return Outcome(
                rec, False, made[0] if made else None, error=error, left_behind=tuple(left)
            )
        finally:
            requested.done()
        return self._drive(rec, made[0], started)

    # -- an interrupted launch ---------------------------------------------

    def finish(self, rec, volume_id):
        """Re-drive one interrupted instance from where it stopped."""
        outcome = self._drive(rec, volume_id)
        self._record_outcomes([outcome])
        return outcome

    def clean_up(self, rec, volume_id):
        """Delete what the launch created for this instance; return what is left.

        What could not be deleted is recorded on the boot volume (state error,
        with the reason), so its row says what is left and why.
        """
        server_id = rec.server_id or self.ops.find_server(volume_id, rec.server_name)
        left = self._roll_back(volume_id, server_id, rec)
        if left:
            reason = self._left_reason(volume_id, server_id, left)
            failed = rec.with_(state=record.ERROR, server_id=server_id, message=reason)
            self._quietly(self.ops.set_metadata, volume_id, record.state_keys(failed))
        return left

    def _left_reason(self, volume_id, server_id, left):
        """Why Clean Up left ``left`` (ids) behind, as one Message."""
        parts = []
        if server_id in left:
            parts.append(msg("server_not_deleted", server=server_id, timeout=self.cleanup_timeout))
        if volume_id in left:
            try:
                volume = self.ops.get_volume(volume_id)
            except Exception:
                volume = None
            status = volume.status if volume else "unknown"
            code = "volume_left_unheld" if not server_id else "volume_left"
            parts.append(msg(code, status=status))
        return msg("clean_up_left", parts=parts)

    # -- the steps -----------------------------------------------------------

    def _drive(self, rec, volume_id, started=None):
        server_id = rec.server_id
        try:
            if rec.state == record.ACTIVE:
                return Outcome(rec, True, volume_id, server_id)
            if not server_id:
                server_id = self.ops.find_server(volume_id, rec.server_name)
            if not server_id:
                rec = self._wait_volume(rec, volume_id, started)
                if rec.volumes:
                    rec = self._wait_and_verify_snapshot_volumes(rec, volume_id)
                rec = rec.with_(state=record.BOOTING)
                self.ops.set_metadata(volume_id, record.state_keys(rec))
                server_id = self._boot(rec, volume_id)
                rec = rec.with_(server_id=server_id)
                # the server id is also found through the volume's attachment
                self._quietly(self.ops.set_metadata, volume_id, record.state_keys(rec))
            self._wait_server(rec, server_id, volume_id)
        except Exception as exc:
            failure = exc
            if not isinstance(exc, Failure):
                failure = Failure(msg("unexpected_error", error=str(exc)))
            server_id = failure.server_id or server_id
            error = failure.message
            rec = failure.record or rec
            self._quietly(self.on_failure, Outcome(rec, False, volume_id, server_id, error))
            if volume_id:
                # its row says why while the rollback waits for Cinder to allow the delete
                failed = rec.with_(state=record.ERROR, message=error)
                self._quietly(self.ops.set_metadata, volume_id, record.state_keys(failed))
            left = self._roll_back(volume_id, server_id, rec)
            return Outcome(rec, False, volume_id, server_id, error, tuple(left))
        # A working server is never rolled back for a bookkeeping error.
        rec = rec.with_(state=record.ACTIVE, server_id=server_id)
        self._quietly(self.ops.set_metadata, volume_id, record.state_keys(rec))
        self._quietly(self._forget_boot_keys, volume_id)
        return Outcome(rec, True, volume_id, server_id)

    def _forget_boot_keys(self, volume_id):
        """The spec and user data are not needed once the server is ACTIVE."""
        volume = self.ops.get_volume(volume_id)
        keys = record.boot_only_keys(volume.metadata if volume else {})
        if keys:
            self.ops.delete_metadata(volume_id, keys)

    def _wait(self, timeout, probe, interval=None):
        """Poll ``probe`` until it returns a result; None on time-out."""
        return polling.poll(
            probe,
            timeout=timeout,
            interval=self.poll_interval if interval is None else interval,
            clock=self.clock,
            sleep=self.sleep,
            heartbeat=self.heartbeat,
            fatal=Failure,
            what="Launch",
        )

    def _wait_volume(self, rec, volume_id, started=None):
        """Wait for the boot volume; return ``rec`` with how it was made."""
        name = sizing.boot_volume_name(rec.server_name)
        watch = clone_check.Watch(started)

        def probe():
            volume = self.ops.get_volume(volume_id)
            if volume is not None and watch.see(volume.status) and rec.require_clone:
                refused = rec.with_(made=clone_check.COPY)
                raise Failure(msg(clone_check.COPY_REFUSED), volume_id, record=refused)
            ready = _settled(volume, name, volume_id)
            if ready is None:
                down = self.backend_down(volume.volume_type)
                if down:  # a Message: why no volume can be made on its type now
                    raise Failure(down, volume_id)
            return ready

        if self._wait(self.clone_timeout, probe, self.volume_poll_interval) is None:
            raise Failure(
                msg("volume_timeout", volume=name, timeout=self.clone_timeout), volume_id
            )
        made, seconds = watch.result(self.clock())
        return rec.with_(made=made, made_seconds=seconds)

    def _wait_and_verify_snapshot_volumes(self, rec, root_id):
        """Wait for the data volumes; record how each volume was made (its
        Lightbits source); stop a required clone that is not one."""
        volumes = []
        for ordinal, volume in enumerate(rec.volumes):
            volume_id = volume.volume_id or root_id
            if volume.volume_id:
                self._wait_data_volume(f"{rec.server_name}-data-{ordinal}", volume_id, root_id)
            made = self._made_from_snapshot(volume_id, volume.snapshot_id)
            volumes.append(replace(volume, made=made or volume.made))
        rec = rec.with_(volumes=tuple(volumes))
        if volumes[0].made:
            rec = rec.with_(made=volumes[0].made)
        self._quietly(self.ops.set_metadata, root_id, record.volume_keys(rec))
        if rec.require_clone and any(v.made == clone_check.COPY for v in volumes):
            raise Failure(msg(clone_check.COPY_REFUSED), root_id, record=rec)
        return rec

    def _made_from_snapshot(self, volume_id, snapshot_id):
        """clone_check.CLONE/COPY from the Lightbits side, "" when not seen."""
        read = getattr(self.ops, "lightbits_volume", None)
        if read is None:
            return ""
        try:
            return clone_check.made_from_snapshot(read(volume_id), snapshot_id)
        except Exception:
            LOG.warning("Lightbits volume of %s not read", volume_id, exc_info=True)
            return ""

    def _wait_data_volume(self, name, volume_id, root_id):
        def probe():
            return _settled(self.ops.get_volume(volume_id), name, root_id)

        if self._wait(self.clone_timeout, probe, self.volume_poll_interval) is None:
            raise Failure(msg("volume_timeout", volume=name, timeout=self.clone_timeout), root_id)

    def _boot(self, rec, volume_id):
        try:
            if rec.volumes:
                ids = [v.volume_id or volume_id for v in rec.volumes]
                bdm = snapshot_plan.block_device_mapping(rec.volumes, ids)
                return self.ops.boot_server_bdm(rec.server_name, rec.spec, bdm, volume_id)
            return self.ops.boot_server(rec.server_name, rec.spec, volume_id)
        except Exception as exc:
            raise Failure(msg("server_refused", error=str(exc)), volume_id)

    def _wait_server(self, rec, server_id, volume_id):
        def probe():
            server = self.ops.get_server(server_id)
            if server is None:
                raise Failure(msg("server_gone"), volume_id, server_id)
            if server.status == "ACTIVE":
                return server
            if server.status == "ERROR":
                raise Failure(msg("server_failed", fault=server.fault), volume_id, server_id)
            return None

        if self._wait(self.boot_timeout, probe) is None:
            raise Failure(msg("server_timeout", timeout=self.boot_timeout), volume_id, server_id)

    # -- rollback ------------------------------------------------------------

    def _roll_back(self, volume_id, server_id, rec=None):
        """Delete the server, then the boot volume, then the data volumes
        recorded in ``rec``; return ids left behind."""
        left = []
        if server_id and not self._delete_server(server_id):
            left.append(server_id)
        data = [v.volume_id for v in (rec.volumes if rec else ()) if v.volume_id]
        for vid in [volume_id] + data:
            if vid and not self._delete_volume(vid):
                left.append(vid)
        return left

    def _delete_server(self, server_id):
        try:
            if self.ops.get_server(server_id) is None:
                return True
            self.ops.delete_server(server_id)
        except Exception:
            return False
        return bool(
            self._wait(
                self.cleanup_timeout, lambda: self.ops.get_server(server_id) is None or None
            )
        )

    def _delete_volume(self, volume_id):
        """A volume still creating or detaching cannot be deleted yet: wait for it."""

        probe = polling.volume_deleted_probe(self.ops, volume_id)
        return bool(self._wait(self.cleanup_timeout, probe))

    def _record_outcomes(self, outcomes):
        """The launch's summary on each launched volume, the error on each volume
        rollback left; then ``on_outcome`` for each instance."""
        summary = summarize(outcomes)
        for outcome in outcomes:
            if outcome.ok and outcome.record.count > 1:
                message = record.message_keys(summary)
                self._quietly(self.ops.set_metadata, outcome.volume_id, message)
            if not outcome.ok and outcome.volume_id in outcome.left_behind:
                failed = outcome.record.with_(state=record.ERROR, message=outcome.error)
                self._quietly(self.ops.set_metadata, outcome.volume_id, record.state_keys(failed))
            self.on_outcome(outcome, summary)
        return summary

    @staticmethod
    def _quietly(func, *args):
        """Best-effort bookkeeping: the launch's result does not depend on it."""
        try:
            func(*args)
        except Exception:
            LOG.warning("Launch bookkeeping failed (%s)", func.__name__, exc_info=True)


def _settled(volume, name, failure_id):
    """The volume once available, None while Cinder still makes it; a
    Failure (against ``failure_id``) when it is gone, in error or in another
    state."""
    if volume is None:
        raise Failure(msg("volume_gone", volume=name), failure_id)
    if volume.status == "available":
        return volume
    if volume.status == "error":
        raise Failure(volume_error(name, volume.error), failure_id)
    if volume.status not in VOLUME_WAITING:
        raise Failure(msg("volume_status", volume=name, status=volume.status), failure_id)
    return None
