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

"""The "Launch from Lightbits image" action and the Launches table: one row
per instance of a launch, updated by ajax (Horizon's UpdateRow) while it is
cloning or booting."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy
from horizon import tables
from openstack_dashboard import api

from lightbits_dashboard.dashboards import tables as lb_tables
from lightbits_dashboard.dashboards.project.lightbits_images import jobs, texts
from lightbits_dashboard.dashboards.project.lightbits_images.launches import actions, rows
from lightbits_dashboard.dashboards.project.lightbits_images.launches import texts as launch_texts
from lightbits_dashboard.launch import record

STATE_CHOICES, STATE_DISPLAY = jobs.state_choices(
    (
        (record.CLONING, pgettext_lazy("Launch state", "Cloning boot volume")),
        (record.BOOTING, pgettext_lazy("Launch state", "Booting")),
    ),
    record,
)


# Characters of a cell shown on its one line (Horizon's truncate); the whole on hover.
NAME_LIMIT = 24
MESSAGE_LIMIT = 40

FOUND = {
    rows.FOUND_BY_NAME: _("%(status)s (found by name)"),
    rows.FOUND_ATTACHED: _("%(status)s (found by its boot volume)"),
}


def server_cell(row):
    """The server's status; a server the launch never recorded says how it was found."""
    found = FOUND.get(row.server_found)
    if found and row.server_status:
        return found % {"status": row.server_status}
    return row.server_status


def horizon_link(url_name, object_id):
    """The URL of Horizon's own page of an object, or None (no object, or
    the panel not installed)."""
    if not object_id:
        return None
    try:
        return reverse(url_name, args=[object_id])
    except NoReverseMatch:
        return None


def volume_link(row):
    return horizon_link("horizon:project:volumes:detail", row.volume_status and row.volume_id)


def server_link(row):
    """Only to a server Nova listed (a recorded id may name a deleted one)."""
    return horizon_link("horizon:project:instances:detail", row.server_status and row.server_id)


LAUNCH_POLICY = (("compute", "os_compute_api:servers:create"),)


class LaunchFromImage(tables.LinkAction):
    """Row action (image fixed) and table action (image chosen in the form)."""

    name = "launch"
    verbose_name = _("Launch from Lightbits image")
    url = "horizon:project:lightbits_images:launch"
    classes = ("ajax-modal", "btn-launch")
    icon = "cloud-upload"
    policy_rules = LAUNCH_POLICY

    def get_link_url(self, datum=None):
        if datum is None:
            return reverse("horizon:project:lightbits_images:launch_any")
        return reverse(self.url, args=[self.table.get_object_id(datum)])

    def allowed(self, request, image=None):
        if not api.base.is_service_enabled(request, "compute"):
            return False
        return image is None or image.status == "active"


class ViewLaunches(jobs.ListLink):
    name = "launches"
    verbose_name = _("Launches")


class FinishLaunch(jobs.RowAction):
    name = "finish"
    states = (record.INTERRUPTED,)
    icon = "play"
    policy_rules = LAUNCH_POLICY
    present = ngettext_lazy("Finish Launch", "Finish Launches")
    past = ngettext_lazy(
        "Resumed launch (the row shows how it ends)",
        "Resumed launches (the rows show how they end)",
    )

    def operate(self, request, row_id):
        actions.finish(request, row_id)


class CleanUpLaunch(jobs.CleanUp):
    help_text = _("Deletes the server and boot volume this launch created.")
    policy_rules = (
        ("compute", "os_compute_api:servers:delete"),
        ("volume", "volume:delete"),
    )
    past = ngettext_lazy(
        "Clean up started (the row goes once all is deleted, or says what is left)",
        "Clean up started (the rows go once all is deleted, or say what is left)",
    )

    def allowed(self, request, row=None):
        if row is None:
            return True
        return row.volume_id is not None and row.state in (record.INTERRUPTED, record.ERROR)

    def operate(self, request, row_id):
        actions.clean_up(request, row_id)


class DismissLaunch(jobs.Dismiss):
    states = (record.ACTIVE, record.ERROR)
    help_text = _("Removes the row; the server and its volume stay.")
    policy_rules = (("volume", "volume:delete_volume_metadata"),)

    def operate(self, request, row_id):
        actions.dismiss(request, row_id)


class UpdateRow(jobs.UpdateRow):
    def fetch(self, request, row_id):
        return rows.launch_row(request, row_id)


class LaunchesTable(lb_tables.DataTable):
    server_name = lb_tables.OneLineColumn(
        "server_name", verbose_name=_("Instance"), truncate=NAME_LIMIT
    )
    launch_name = lb_tables.OneLineColumn(
        "launch_name", verbose_name=_("Launch"), truncate=NAME_LIMIT
    )
    state = lb_tables.OneLineColumn(
        "state",
        verbose_name=_("State"),
        status=True,
        status_choices=STATE_CHOICES,
        display_choices=STATE_DISPLAY,
    )
    volume_status = lb_tables.OneLineColumn(
        "volume_status", verbose_name=_("Boot Volume"), empty_value=_("Deleted"), link=volume_link
    )
    made = lb_tables.OneLineColumn(
        lambda row: launch_texts.made_cell(row.made), verbose_name=_("Clone or Copy")
    )
    server_status = lb_tables.OneLineColumn(
        server_cell,
        verbose_name=_("Server"),
        empty_value="-",
        link=server_link,
        help_text=_(
            "A server whose id the launch did not record (Horizon stopped first) is "
            "found by its name or its boot volume, and says so until Finish records it."
        ),
    )
    message = lb_tables.OneLineColumn(
        lambda row: lb_tables.one_line(texts.render(row.message), MESSAGE_LIMIT),
        verbose_name=_("Message"),
        empty_value="",
    )

    class Meta(jobs.TableMeta):
        name = "launches"
        verbose_name = _("Launches")
        row_class = UpdateRow
        row_actions = (FinishLaunch, CleanUpLaunch, DismissLaunch)
        table_actions = (LaunchFromImage,)

    def get_object_display(self, datum):
        """Action messages name the instance, not its boot volume's id."""
        return datum.server_name or datum.id
