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

"""The rows of the Launches table, a page at a time.

A page costs: one Cinder volume list of the page's launch volumes (the
metadata filter on the launch mark, Horizon's ``volume_list_paged`` with its
markers and API_RESULT_PAGE_SIZE), one Nova server list of the page's
server names (a name regex, at most two servers per launch volume of the
page), one heartbeat read, and one cache read of the LaunchFailureLog (its rows
on the first page). The ajax row update reads one volume and one server.

A row's server is the one its launch record names; when the launch never
recorded it (Horizon stopped between Nova's answer and the record), the
server its boot volume is attached to, else the server of its name that
carries its boot volume's mark. A server found so is marked on its row.
"""

from openstack_dashboard import api
from openstack_dashboard.exceptions import NOT_FOUND

from lightbits_dashboard import model
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.dashboards.project.lightbits_images.jobs import heartbeat
from lightbits_dashboard.dashboards.project.lightbits_images.launches.failures import (
    FAILED_PREFIX,
    LaunchFailureLog,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launches.ops import (
    attached_server,
    fault,
    launch_server,
    servers_named,
)
from lightbits_dashboard.launch import clone_check, progress, record, summaries
from lightbits_dashboard.message import Message

# How a row's server was known: recorded by the launch, or found.
RECORDED = ""
FOUND_ATTACHED = "attached"  # the server its boot volume is attached to
FOUND_BY_NAME = "name"  # among the servers of its name, by its boot volume's mark

# Servers listed per launch volume of a page: its own, and one more of its name.
SERVERS_PER_ROW = 2


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
        self.server_found = fields.get("server_found", RECORDED)
        self.record = fields.get("record")
        self.metadata = fields.get("metadata") or {}
        made = fields.get("made") or ()  # how the boot volume was made
        self.made = made if isinstance(made, clone_check.Made) else clone_check.Made(*made)
        self.launch_id = fields.get("launch_id") or getattr(self.record, "launch_id", None)
        self.index = fields.get("index") or getattr(self.record, "index", 0)
        self.count = fields.get("count") or getattr(self.record, "count", 1)
        self.error = fields.get("error")  # a failed instance's own error (a Message)


def row_server(volume, rec, servers_by_id):
    """(server id or None, how it was known: RECORDED or FOUND_*)."""
    if rec.server_id:
        return rec.server_id, RECORDED
    attached = attached_server(volume)
    if attached:
        return attached, FOUND_ATTACHED
    named = launch_server(volume.id, rec.server_name, servers_by_id.values())
    return named, FOUND_BY_NAME if named else RECORDED


def volume_row(volume, rec, servers_by_id, alive):
    server_id, found = row_server(volume, rec, servers_by_id)
    server = servers_by_id.get(server_id) if server_id else None
    state, message = progress.instance_state(
        rec,
        alive=rec.launch_id in alive or volume.id in alive,
        volume_status=volume.status,
        server_status=getattr(server, "status", None),
        server_fault=fault(server) if server else "",
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
        server_found=found,
        record=rec,
        metadata=dict(volume.metadata or {}),
        made=clone_check.Made(rec.made, rec.made_seconds, rec.expected),
    )


def failure_row(row_id, entry):
    """A LaunchFailureLog entry's row; its message is a Message's data (or, written by
    an earlier version, English text)."""
    entry = dict(entry)
    stored = entry.get("message")
    entry["message"] = Message.from_data(stored) or record.read_message(
        stored if isinstance(stored, str) else ""
    )
    entry["error"] = Message.from_data(entry.get("error"))
    return LaunchRow(row_id, state=record.ERROR, **entry)


def failure_rows(project_id, keep=lambda entry: True):
    return [
        failure_row(row_id, entry)
        for row_id, entry in LaunchFailureLog().entries(project_id).items()
        if keep(entry)
    ]


def rows_from(volumes, servers, project_id, failures=True):
    """Rows of the launch volumes among ``volumes``, in their order; then,
    with ``failures``, the LaunchFailureLog's rows (each replacing its volume's)."""
    launch_volumes = [(v, record.decode(getattr(v, "metadata", None))) for v in volumes]
    launch_volumes = [(v, rec) for v, rec in launch_volumes if rec]
    keys = {rec.launch_id for _v, rec in launch_volumes} | {v.id for v, _rec in launch_volumes}
    alive = heartbeat().alive(sorted(keys)) if keys else set()
    servers_by_id = {s.id: s for s in servers}
    rows = [volume_row(v, rec, servers_by_id, alive) for v, rec in launch_volumes]
    if failures:
        # A volume still being rolled back keeps its own row until it is gone.
        listed = {v.id for v, _rec in launch_volumes}
        rows = (
            failure_rows(project_id, lambda e: e.get("rolled_back_volume_id") not in listed) + rows
        )
    return summaries.rebuild_cut(rows)


def rolled_back_row(project_id, volume_id):
    """The failure row that replaces a rolled-back boot volume's row, or None."""
    rows = failure_rows(project_id, lambda e: e.get("rolled_back_volume_id") == volume_id)
    return rows[0] if rows else None


def launch_page(request, marker=None, prev_marker=None):
    """(rows, has_more, has_prev): one page of the project's launches.

    Horizon's conventions (its Volumes page): newest first, ``marker`` the
    last volume of the previous page, ``prev_marker`` the first of the next
    one, API_RESULT_PAGE_SIZE rows. The LaunchFailureLog's rows lead the first
    page (never the last row: the table's marker is a volume id).
    """
    volumes, has_more, has_prev = api.cinder.volume_list_paged(
        request,
        search_opts={"metadata": dict(record.MARK)},
        marker=prev_marker or marker,
        paginate=True,
        sort_dir="asc" if prev_marker else "desc",
    )
    records = [record.decode(getattr(v, "metadata", None)) for v in volumes]
    records = [rec for rec in records if rec]
    names = sorted({rec.server_name for rec in records if rec.server_name})
    servers = servers_named(request, names, SERVERS_PER_ROW * len(records)) if names else []
    first = not has_prev
    return rows_from(volumes, servers, request.user.project_id, failures=first), has_more, has_prev


def launch_row(request, row_id):
    """One row, for the table's ajax updates (one volume get, one server get).

    A row that would say Interrupted is read once more: its driver may have
    written its last state and stopped its heartbeat between the volume read
    and the heartbeat read, and Horizon stops refreshing a row that says
    Interrupted.
    """
    row = launch_row_once(request, row_id)
    if row is not None and row.state == record.INTERRUPTED:
        row = launch_row_once(request, row_id)
    return row


def launch_row_once(request, row_id):
    project_id = request.user.project_id
    if row_id.startswith(FAILED_PREFIX):
        for row in failure_rows(project_id):
            if row.id == row_id:
                return row
        return None
    volume = lb_cinder.volume_get_raw(request, row_id)
    if volume is not None and model.volume_project(volume) not in (None, project_id):
        volume = None  # an admin's token reads any project's volume by id
    rec = record.decode(getattr(volume, "metadata", None)) if volume else None
    if rec is None:
        return rolled_back_row(project_id, row_id)
    servers = []
    server_id = rec.server_id or attached_server(volume)
    if server_id:
        try:
            servers = [api.nova.server_get(request, server_id)]
        except Exception as exc:
            if not isinstance(exc, NOT_FOUND):
                raise
    else:
        servers = servers_named(request, rec.server_name)
    return rows_from([volume], servers, project_id)[0]
