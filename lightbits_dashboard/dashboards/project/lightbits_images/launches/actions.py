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

"""The Launches table's row actions: finish, clean up, dismiss; each
re-reads its row and refuses a forged or stale id."""

from django.utils.translation import gettext as _
from openstack_dashboard import api

from lightbits_dashboard import model
from lightbits_dashboard.dashboards.project.lightbits_images.jobs import heartbeat
from lightbits_dashboard.dashboards.project.lightbits_images.launches.driver import make_launcher
from lightbits_dashboard.dashboards.project.lightbits_images.launches.failures import (
    FAILED_PREFIX,
    LaunchFailureLog,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launches.rows import launch_row
from lightbits_dashboard.launch import record, runner


def row_or_refuse(request, row_id):
    """The row, or ValueError: a forged or stale id (another project's volume)."""
    row = launch_row(request, row_id)
    if row is None:
        raise ValueError(
            _("Refused: %s is not a launch of this project (or it is gone).") % row_id
        )
    return row


def finish(request, row_id):
    """Re-drive an interrupted instance in the background."""
    row = row_or_refuse(request, row_id)
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
    row = row_or_refuse(request, row_id)
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
        LaunchFailureLog().remove(request.user.project_id, row_id)
        return
    row = row_or_refuse(request, row_id)
    if row.state not in (record.ACTIVE, record.ERROR):
        raise ValueError(_("Only a finished launch can be dismissed."))
    api.cinder.volume_delete_metadata(request, row_id, record.all_keys(row.metadata))
