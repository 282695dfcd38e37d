"""Clone -> wait -> boot -> wait, with rollback, for each instance of a launch.

The cloud is an injected ``ops`` object (see ``CloudOps``); time is injected
too (``clock``, ``sleep``), so tests drive every branch without Django or a
cloud. Rollback deletes only what this launch created for the failed
instance: its server, then its boot volume.
"""

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from lightbits_dashboard.launch import quota, record, sizing

LOG = logging.getLogger(__name__)

VOLUME_WAITING = ("creating", "downloading")
VOLUME_DELETABLE = ("available", "error", "error_restoring", "error_extending")
VOLUME_GOING = ("deleting",)


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


@dataclass(frozen=True)
class VolumeState:
    status: str
    error: str = ""  # Cinder's own message when status is error
    metadata: dict | None = None
    volume_type: str = ""


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

    def records(self):
        launch_id = self.launch_id or str(uuid.uuid4())
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
            )
            for i, server_name in enumerate(sizing.server_names(self.name, self.count), 1)
        ]


@dataclass(frozen=True)
class Outcome:
    record: record.LaunchRecord
    ok: bool
    volume_id: str | None = None
    server_id: str | None = None
    error: str = ""
    left_behind: tuple = ()  # what rollback could not delete (ids)


class QuotaRefused(Exception):
    pass


class Failure(Exception):
    """One instance failed: ``message`` says what and why."""

    def __init__(self, message, volume_id=None, server_id=None):
        super().__init__(message)
        self.volume_id, self.server_id = volume_id, server_id


NO_BACKEND = "No valid backend"
NO_WEIGHED_BACKEND = "available weighted backend"
NO_BACKEND_HINT = (
    " (for a Lightbits backend this usually means its cinder-volume service is "
    "down, its driver cannot reach the Lightbits cluster, or the volume type names "
    "no running backend)"
)


def explain(cinder_error):
    """Cinder's message, with what a scheduling failure usually means here."""
    if cinder_error and (NO_BACKEND in cinder_error or NO_WEIGHED_BACKEND in cinder_error):
        return cinder_error + NO_BACKEND_HINT
    return cinder_error


def summarize(outcomes):
    """One line for the user: "2 of 3 launched; vm-3 failed: <reason>"."""
    launched = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        if len(outcomes) == 1:
            return f"{outcomes[0].record.server_name} launched"
        return f"{len(launched)} of {len(outcomes)} launched"
    reasons = "; ".join(f"{o.record.server_name} failed: {o.error}" for o in failed)
    if len(outcomes) == 1:
        return reasons
    return f"{len(launched)} of {len(outcomes)} launched; {reasons}"


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
        needs = quota.launch_needs(
            plan.count, plan.vcpus, plan.ram_mb, plan.volume_size, plan.volume_type
        )
        problems = quota.refusals(needs, self.ops.quota_usage(plan.volume_type))
        if problems:
            raise QuotaRefused("; ".join(problems))

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
        self._finish(outcomes)
        return outcomes

    def _new_instance(self, plan, rec, requested):
        try:
            volume_id = self.ops.create_volume(
                sizing.boot_volume_name(rec.server_name),
                plan.volume_size,
                plan.volume_type,
                plan.image_id,
                record.encode(rec),
            )
        except Exception as exc:
            return Outcome(rec, False, error=f"Cinder refused the boot volume: {exc}")
        finally:
            requested.done()
        return self._drive(rec, volume_id)

    # -- an interrupted launch ---------------------------------------------

    def finish(self, rec, volume_id):
        """Re-drive one interrupted instance from where it stopped."""
        outcome = self._drive(rec, volume_id)
        self._finish([outcome])
        return outcome

    def clean_up(self, rec, volume_id):
        """Delete what the launch created for this instance; return what is left.

        What could not be deleted is recorded on the boot volume (state error,
        with the reason), so its row says what is left and why.
        """
        server_id = rec.server_id or self.ops.find_server(volume_id, rec.server_name)
        left = self._roll_back(volume_id, server_id)
        if left:
            reason = self._left_reason(volume_id, server_id, left)
            failed = rec.with_(state=record.ERROR, server_id=server_id, message=reason)
            self._quietly(self.ops.set_metadata, volume_id, record.state_keys(failed))
        return left

    def _left_reason(self, volume_id, server_id, left):
        """Why Clean Up left ``left`` (ids) behind, in one line."""
        parts = []
        if server_id in left:
            parts.append(f"the server {server_id} was not deleted within {self.cleanup_timeout} s")
        if volume_id in left:
            try:
                volume = self.ops.get_volume(volume_id)
            except Exception:
                volume = None
            status = volume.status if volume else "unknown"
            why = f"the boot volume is {status}"
            if not server_id:
                why += " and no server of this launch holds it (an admin can reset its state)"
            parts.append(why)
        return "Clean up left: " + "; ".join(parts)

    # -- the steps -----------------------------------------------------------

    def _drive(self, rec, volume_id):
        server_id = rec.server_id
        try:
            if rec.state == record.ACTIVE:
                return Outcome(rec, True, volume_id, server_id)
            if not server_id:
                server_id = self.ops.find_server(volume_id, rec.server_name)
            if not server_id:
                self._wait_volume(rec, volume_id)
                rec = rec.with_(state=record.BOOTING)
                self.ops.set_metadata(volume_id, record.state_keys(rec))
                server_id = self._boot(rec, volume_id)
                rec = rec.with_(server_id=server_id)
                # the server id is also found through the volume's attachment
                self._quietly(self.ops.set_metadata, volume_id, record.state_keys(rec))
            self._wait_server(rec, server_id, volume_id)
        except Exception as exc:
            failure = exc if isinstance(exc, Failure) else Failure(f"unexpected error: {exc}")
            server_id = failure.server_id or server_id
            self._quietly(self.on_failure, Outcome(rec, False, volume_id, server_id, str(failure)))
            if volume_id:  # its row says the error while the rollback waits on Cinder
                failed = rec.with_(state=record.ERROR, message=str(failure))
                self._quietly(self.ops.set_metadata, volume_id, record.state_keys(failed))
            left = self._roll_back(volume_id, server_id)
            return Outcome(rec, False, volume_id, server_id, str(failure), tuple(left))
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

    def _wait(self, timeout, probe):
        """Poll ``probe`` until it returns a result; None on time-out."""
        deadline = self.clock() + timeout
        while True:
            try:
                result = probe()
            except Failure:
                raise
            except Exception:  # a transient API error: keep polling until the deadline
                LOG.warning("Launch status poll failed; retrying", exc_info=True)
                result = None
            if result is not None:
                return result
            if self.clock() >= deadline:
                return None
            self.heartbeat()
            self.sleep(self.poll_interval)

    def _wait_volume(self, rec, volume_id):
        name = sizing.boot_volume_name(rec.server_name)

        def probe():
            volume = self.ops.get_volume(volume_id)
            if volume is None:
                raise Failure(f"boot volume {name} disappeared", volume_id)
            if volume.status == "available":
                return volume
            if volume.status == "error":
                reason = explain(volume.error) or "Cinder gave no reason"
                raise Failure(f"boot volume {name} went to error: {reason}", volume_id)
            if volume.status not in VOLUME_WAITING:
                raise Failure(f"boot volume {name} is {volume.status}", volume_id)
            down = self.backend_down(volume.volume_type)
            if down:
                raise Failure(str(down), volume_id)
            return None

        if self._wait(self.clone_timeout, probe) is None:
            raise Failure(
                f"boot volume {name} not available after {self.clone_timeout} s", volume_id
            )

    def _boot(self, rec, volume_id):
        try:
            return self.ops.boot_server(rec.server_name, rec.spec, volume_id)
        except Exception as exc:
            raise Failure(f"Nova refused the server: {exc}", volume_id)

    def _wait_server(self, rec, server_id, volume_id):
        def probe():
            server = self.ops.get_server(server_id)
            if server is None:
                raise Failure("the server disappeared", volume_id, server_id)
            if server.status == "ACTIVE":
                return server
            if server.status == "ERROR":
                reason = server.fault or "Nova gave no reason"
                raise Failure(f"the server went to ERROR: {reason}", volume_id, server_id)
            return None

        if self._wait(self.boot_timeout, probe) is None:
            raise Failure(
                f"the server was not ACTIVE after {self.boot_timeout} s", volume_id, server_id
            )

    # -- rollback ------------------------------------------------------------

    def _roll_back(self, volume_id, server_id):
        """Delete the server, then the boot volume; return ids left behind."""
        left = []
        if server_id and not self._delete_server(server_id):
            left.append(server_id)
        if volume_id and not self._delete_volume(volume_id):
            left.append(volume_id)
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

        def probe():
            volume = self.ops.get_volume(volume_id)
            if volume is None or volume.status in VOLUME_GOING:
                return True
            if volume.status in VOLUME_DELETABLE:
                try:
                    self.ops.delete_volume(volume_id)
                except Exception:
                    return None
                return True
            return None

        return bool(self._wait(self.cleanup_timeout, probe))

    def _finish(self, outcomes):
        summary = summarize(outcomes)
        for outcome in outcomes:
            if outcome.ok and outcome.record.count > 1:
                message = {record.PREFIX + "message": record.fit(summary)}
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
