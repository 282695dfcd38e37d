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

"""Horizon side of launches: the cloud operations over openstack_dashboard.api,
the background driver, and the rows of the Launches table.

The Launches table comes from ONE volume list and ONE server list of the
project (plus cache reads): the launch record lives in the boot volumes'
metadata, liveness in Django's cache. Instances whose boot volume was rolled
back are remembered in the cache (FailureLog) so their error stays visible.
Several Horizon processes need a cache they share (memcached, redis), as
Horizon's sessions and caching already recommend.
"""

import logging
import re
import threading
import time
import uuid

from django.utils.translation import gettext as _
from openstack_dashboard import api
from openstack_dashboard.exceptions import NOT_FOUND

from lightbits_dashboard import conf, model, shared_cache
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import nova as lb_nova
from lightbits_dashboard.dashboards.project.lightbits_images import data
from lightbits_dashboard.launch import clone_check, progress, record, runner, summaries
from lightbits_dashboard.launch.orchestrator import (
    Launcher,
    ServerState,
    VolumeState,
)
from lightbits_dashboard.message import Message, msg

LOG = logging.getLogger(__name__)
FAILED_PREFIX = "failed-"


class HorizonCloudOps:
    """orchestrator.CloudOps over Horizon's api modules, as the user of ``request``."""

    def __init__(self, request):
        self.request = request

    def quota_usage(self, volume_type):
        limits = api.nova.tenant_absolute_limits(self.request, reserved=True)
        usage = lb_cinder.quota_usage(self.request)
        for name, limit_key, used_key in (
            ("instances", "maxTotalInstances", "totalInstancesUsed"),
            ("cores", "maxTotalCores", "totalCoresUsed"),
            ("ram", "maxTotalRAMSize", "totalRAMUsed"),
        ):
            if limit_key in limits:
                usage[name] = (limits[limit_key], limits.get(used_key, 0))
        return usage

    def create_volume(self, name, size, volume_type, image_id, metadata):
        volume = api.cinder.volume_create(
            self.request, size, name, "", volume_type, metadata=metadata, image_id=image_id
        )
        return volume.id

    def get_volume(self, volume_id):
        volume = lb_cinder.volume_get_raw(self.request, volume_id)
        if volume is None:
            return None
        error = ""
        if volume.status == "error":
            error = lb_cinder.volume_error_message(self.request, volume_id)
        return VolumeState(
            volume.status,
            error,
            dict(getattr(volume, "metadata", {}) or {}),
            getattr(volume, "volume_type", "") or "",
        )

    def delete_volume(self, volume_id):
        api.cinder.volume_delete(self.request, volume_id)

    def set_metadata(self, volume_id, metadata):
        api.cinder.volume_set_metadata(self.request, volume_id, metadata)

    def delete_metadata(self, volume_id, keys):
        api.cinder.volume_delete_metadata(self.request, volume_id, keys)

    def boot_server(self, name, spec, volume_id):
        return lb_nova.boot_from_volume(
            self.request,
            name,
            spec.flavor,
            volume_id,
            network_ids=spec.networks,
            key_name=spec.key_name,
            security_groups=spec.security_groups,
            availability_zone=spec.availability_zone,
            delete_on_termination=spec.delete_on_terminate,
            user_data=spec.user_data,
            meta={record.SERVER_MARK: volume_id},
        )

    def get_server(self, server_id):
        try:
            server = api.nova.server_get(self.request, server_id)
        except Exception as exc:
            if isinstance(exc, NOT_FOUND):
                return None
            raise
        return ServerState(server.status, _fault(server))

    def delete_server(self, server_id):
        lb_nova.server_delete(self.request, server_id)

    def find_server(self, volume_id, server_name):
        volume = lb_cinder.volume_get_raw(self.request, volume_id)
        found = _attached_server(volume)
        if found or volume is None:
            return found
        return _launch_server(volume_id, server_name, _servers_named(self.request, server_name))


def _servers_named(request, name):
    """The project's servers of exactly this name (one server list)."""
    search = {"name": f"^{re.escape(name)}$"}
    servers, _more = api.nova.server_list(request, search_opts=search)
    return servers


def _attached_server(volume):
    """The server a volume is attached to (a boot volume has at most one)."""
    for attachment in getattr(volume, "attachments", None) or []:
        if attachment.get("server_id"):
            return attachment["server_id"]
    return None


def _launch_server(volume_id, server_name, servers):
    """The id of the server of ``server_name`` booted on ``volume_id``, or None.

    A server that failed before its volume was attached (ERROR while
    scheduling leaves the volume "reserved") is found by its boot-volume
    mark, or by Nova's own list of its volumes.
    """
    for server in servers:
        if getattr(server, "name", None) != server_name:
            continue
        mark = (getattr(server, "metadata", None) or {}).get(record.SERVER_MARK)
        attached = getattr(server, "os-extended-volumes:volumes_attached", None) or []
        if mark == volume_id or any(v.get("id") == volume_id for v in attached):
            return server.id
    return None


def _fault(server):
    fault = getattr(server, "fault", None) or {}
    return fault.get("message", "") if isinstance(fault, dict) else str(fault)


class FailureLog:
    """Rolled-back instances per project, kept a day in the cache for the table."""

    TTL = 24 * 3600
    _lock = threading.Lock()

    @staticmethod
    def _key(project_id):
        return f"lightbits-launch-failed:{project_id}"

    def entries(self, project_id):
        return dict(shared_cache.get_cache().get(self._key(project_id)) or {})

    @staticmethod
    def row_id(rec):
        return f"{FAILED_PREFIX}{rec.launch_id}-{rec.index}"

    def add(self, project_id, outcome, summary):
        rec = outcome.record
        entry = {
            "launch_name": rec.name,
            "launch_id": rec.launch_id,
            "index": rec.index,
            "count": rec.count,
            "server_name": rec.server_name,
            "image_id": rec.image_id,
            # the boot volume being rolled back: its row becomes this one
            "rolled_back_volume_id": outcome.volume_id,
            "message": _message_data(summary if rec.count > 1 else outcome.error),
            "error": _message_data(outcome.error),  # its own (rebuilds a cut summary)
            "time": time.time(),
            "made": (rec.made, rec.made_seconds, rec.expected),  # plain, for the cache
        }
        with self._lock:
            entries = self.entries(project_id)
            entries[self.row_id(rec)] = entry
            shared_cache.get_cache().set(self._key(project_id), entries, self.TTL)

    def remove(self, project_id, row_id):
        with self._lock:
            entries = self.entries(project_id)
            entries.pop(row_id, None)
            shared_cache.get_cache().set(self._key(project_id), entries, self.TTL)


def heartbeat():
    # the plugin's cache alias (shared_cache): shared by every Horizon process
    # when it is memcached or redis, never culled by Horizon's own entries
    ttl = runner.heartbeat_ttl(conf.get("LAUNCH_POLL_INTERVAL"))
    return runner.Heartbeat(shared_cache.get_cache(), ttl)


def make_launcher(request, key, on_volumes_requested=lambda: None):
    beat = heartbeat()
    project_id = request.user.project_id

    def on_failure(outcome):
        FailureLog().add(project_id, outcome, outcome.error)

    def on_outcome(outcome, summary):
        if outcome.ok:
            return
        if outcome.volume_id in outcome.left_behind:
            # the volume stays, marked failed: its own row shows the error
            FailureLog().remove(project_id, FailureLog.row_id(outcome.record))
        else:
            FailureLog().add(project_id, outcome, summary)

    return Launcher(
        HorizonCloudOps(request),
        clone_timeout=conf.get("LAUNCH_CLONE_TIMEOUT"),
        boot_timeout=conf.get("LAUNCH_BOOT_TIMEOUT"),
        cleanup_timeout=conf.get("LAUNCH_CLEANUP_TIMEOUT"),
        poll_interval=conf.get("LAUNCH_POLL_INTERVAL"),
        volume_poll_interval=min(
            conf.get("LAUNCH_POLL_INTERVAL"), conf.get("LAUNCH_VOLUME_POLL_INTERVAL")
        ),
        heartbeat=lambda: beat.beat(key),
        on_outcome=on_outcome,
        on_failure=on_failure,
        on_volumes_requested=on_volumes_requested,
        backend_down=lambda volume_type: cluster_down_message(request, volume_type),
    )


def cluster_down_message(request, volume_type):
    """Why a clone on ``volume_type`` cannot finish now (its Lightbits cluster
    does not answer: the plugin's cached probe), a Message, or None."""
    down = data.clusters_down(request, [volume_type])
    if volume_type not in down:
        return None
    return msg("type_down_stopped", type=volume_type, reason=down[volume_type])


def new_launch_id():
    return str(uuid.uuid4())


# Seconds start_launch waits for Cinder to accept the boot volumes.
REQUESTED_WAIT = 5


def start_launch(request, plan):
    """Start driving ``plan`` in the background.

    Returns once Cinder has the boot volumes (a few seconds at most): the
    Launches page shown next lists a launch from its volumes, and its ajax
    only updates rows it already has.
    """
    requested = threading.Event()
    launcher = make_launcher(request, plan.launch_id, on_volumes_requested=requested.set)
    thread = runner.start(heartbeat(), plan.launch_id, launcher.run, plan)
    requested.wait(REQUESTED_WAIT)
    return thread


# -- the Launches table ------------------------------------------------------


class LaunchRow:
    def __init__(self, row_id, **fields):
        self.id = row_id
        self.launch_name = fields.get("launch_name", "")
        self.server_name = fields.get("server_name", "")
        self.state = fields.get("state", record.ERROR)
        self.message = fields.get("message")  # a Message, or None
        self.image_id = fields.get("image_id", "")
        self.volume_id = fields.get("volume_id")
        self.volume_status = fields.get("volume_status")
        self.server_id = fields.get("server_id")
        self.server_status = fields.get("server_status")
        self.record = fields.get("record")
        self.metadata = fields.get("metadata") or {}
        made = fields.get("made") or ()  # how the boot volume was made
        self.made = made if isinstance(made, clone_check.Made) else clone_check.Made(*made)
        self.launch_id = fields.get("launch_id") or getattr(self.record, "launch_id", None)
        self.index = fields.get("index") or getattr(self.record, "index", 0)
        self.count = fields.get("count") or getattr(self.record, "count", 1)
        self.error = fields.get("error")  # a failed instance's own error (a Message)


def _volume_row(volume, rec, servers_by_id, alive):
    server_id = (
        rec.server_id
        or _attached_server(volume)
        or _launch_server(volume.id, rec.server_name, servers_by_id.values())
    )
    server = servers_by_id.get(server_id) if server_id else None
    state, message = progress.instance_state(
        rec,
        alive=rec.launch_id in alive or volume.id in alive,
        volume_status=volume.status,
        server_status=getattr(server, "status", None),
        server_fault=_fault(server) if server else "",
    )
    return LaunchRow(
        volume.id,
        launch_name=rec.name,
        server_name=rec.server_name,
        state=state,
        message=message,
        image_id=rec.image_id,
        volume_id=volume.id,
        volume_status=volume.status,
        server_id=server_id,
        server_status=getattr(server, "status", None),
        record=rec,
        metadata=dict(volume.metadata or {}),
        made=clone_check.Made(rec.made, rec.made_seconds, rec.expected),
    )


def _message_data(message):
    return message.to_data() if isinstance(message, Message) else message


def _failure_row(row_id, entry):
    """A FailureLog entry's row; its message is a Message's data (or, written by
    an earlier version, English text)."""
    entry = dict(entry)
    stored = entry.get("message")
    entry["message"] = Message.from_data(stored) or record.read_message(
        stored if isinstance(stored, str) else ""
    )
    entry["error"] = Message.from_data(entry.get("error"))
    return LaunchRow(row_id, state=record.ERROR, **entry)


def _failure_rows(project_id, keep=lambda entry: True):
    return [
        _failure_row(row_id, entry)
        for row_id, entry in FailureLog().entries(project_id).items()
        if keep(entry)
    ]


def _rows_from(volumes, servers, project_id):
    launch_volumes = [(v, record.decode(getattr(v, "metadata", None))) for v in volumes]
    launch_volumes = [(v, rec) for v, rec in launch_volumes if rec]
    keys = {rec.launch_id for _v, rec in launch_volumes} | {v.id for v, _rec in launch_volumes}
    alive = heartbeat().alive(sorted(keys)) if keys else set()
    servers_by_id = {s.id: s for s in servers}
    rows = [_volume_row(v, rec, servers_by_id, alive) for v, rec in launch_volumes]
    rows.sort(key=lambda r: (r.launch_name, r.record.launch_id, r.record.index))
    # A volume still being rolled back keeps its own row until it is gone.
    listed = {v.id for v, _rec in launch_volumes}
    rows += _failure_rows(project_id, lambda e: e.get("rolled_back_volume_id") not in listed)
    return summaries.rebuild_cut(rows)


def _rolled_back_row(project_id, volume_id):
    """The failure row that replaces a rolled-back boot volume's row, or None."""
    rows = _failure_rows(project_id, lambda e: e.get("rolled_back_volume_id") == volume_id)
    return rows[0] if rows else None


def launch_rows(request):
    """Every launch instance of the project: one volume list, one server list."""
    volumes = api.cinder.volume_list(request)
    servers, _more = api.nova.server_list(request)
    return _rows_from(volumes, servers, request.user.project_id)


def launch_row(request, row_id):
    """One row, for the table's ajax updates (one volume get, one server get).

    A row that would say Interrupted is read once more: its driver may have
    written its last state and stopped its heartbeat between the volume read
    and the heartbeat read, and Horizon stops refreshing a row that says
    Interrupted.
    """
    row = _launch_row_once(request, row_id)
    if row is not None and row.state == record.INTERRUPTED:
        row = _launch_row_once(request, row_id)
    return row


def _launch_row_once(request, row_id):
    project_id = request.user.project_id
    if row_id.startswith(FAILED_PREFIX):
        for row in _failure_rows(project_id):
            if row.id == row_id:
                return row
        return None
    volume = lb_cinder.volume_get_raw(request, row_id)
    if volume is not None and model.volume_project(volume) not in (None, project_id):
        volume = None  # an admin's token reads any project's volume by id
    rec = record.decode(getattr(volume, "metadata", None)) if volume else None
    if rec is None:
        return _rolled_back_row(project_id, row_id)
    servers = []
    server_id = rec.server_id or _attached_server(volume)
    if server_id:
        try:
            servers = [api.nova.server_get(request, server_id)]
        except Exception as exc:
            if not isinstance(exc, NOT_FOUND):
                raise
    else:
        servers = _servers_named(request, rec.server_name)
    return _rows_from([volume], servers, project_id)[0]


def _row_or_refuse(request, row_id):
    """The row, or ValueError: a forged or stale id (another project's volume)."""
    row = launch_row(request, row_id)
    if row is None:
        raise ValueError(
            _("Refused: %s is not a launch of this project (or it is gone).") % row_id
        )
    return row


def finish(request, row_id):
    """Re-drive an interrupted instance in the background."""
    row = _row_or_refuse(request, row_id)
    if row.state != record.INTERRUPTED:
        raise ValueError(_("Only an interrupted launch can be finished."))
    launcher = make_launcher(request, row.volume_id)
    runner.start(heartbeat(), row.volume_id, launcher.finish, row.record, row.volume_id)


def clean_up(request, row_id):
    """Delete the server and boot volume of an interrupted or failed instance.

    Refused up front (ValueError with the reason) when the boot volume could
    not be deleted: no server of this launch holds it and Cinder does not
    allow deleting it in its state. Otherwise the deletes run in the
    background and what they leave is recorded on the row (Launcher.clean_up).
    """
    row = _row_or_refuse(request, row_id)
    if row.volume_id is None or row.state not in (record.INTERRUPTED, record.ERROR):
        raise ValueError(_("Only an interrupted or failed launch can be cleaned up."))
    status = row.volume_status
    if not row.server_id and status not in model.VOLUME_DELETABLE + ("creating", "downloading"):
        raise ValueError(
            _(
                "%(name)s cannot be cleaned up: its boot volume is %(status)s and no "
                "server of this launch holds it; an admin can reset the volume's state."
            )
            % {"name": row.server_name, "status": status}
        )
    launcher = make_launcher(request, row.volume_id)
    rec = row.record.with_(server_id=row.server_id) if row.server_id else row.record
    runner.start(heartbeat(), row.volume_id, launcher.clean_up, rec, row.volume_id)


def dismiss(request, row_id):
    """Forget a finished instance: drop its launch metadata, keep server and volume."""
    if row_id.startswith(FAILED_PREFIX):
        FailureLog().remove(request.user.project_id, row_id)
        return
    row = _row_or_refuse(request, row_id)
    if row.state not in (record.ACTIVE, record.ERROR):
        raise ValueError(_("Only a finished launch can be dismissed."))
    api.cinder.volume_delete_metadata(request, row_id, record.all_keys(row.metadata))
