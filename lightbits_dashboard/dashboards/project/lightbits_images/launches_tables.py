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

"""The Launches table: one row per instance of a launch, updated by ajax
(Horizon's UpdateRow) while it is cloning or booting."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy
from horizon import exceptions, messages, tables

from lightbits_dashboard.dashboards.project.lightbits_images import clone_texts, launches, texts
from lightbits_dashboard.dashboards.project.lightbits_images import tables as images_tables
from lightbits_dashboard.launch import record

STATE_CHOICES = (
    (record.CLONING, None),
    (record.BOOTING, None),
    (record.ACTIVE, True),
    (record.ERROR, False),
    (record.INTERRUPTED, False),
)
STATE_DISPLAY = (
    (record.CLONING, pgettext_lazy("Launch state", "Cloning boot volume")),
    (record.BOOTING, pgettext_lazy("Launch state", "Booting")),
    (record.ACTIVE, pgettext_lazy("Launch state", "Active")),
    (record.ERROR, pgettext_lazy("Launch state", "Error")),
    (record.INTERRUPTED, pgettext_lazy("Launch state", "Interrupted")),
)


class _RowAction(tables.BatchAction):
    """A one-row action: ``operate(request, row id)`` calls the launch operation."""

    states = ()

    def allowed(self, request, row=None):
        return row is None or row.state in self.states

    def operate(self, request, row_id):
        raise NotImplementedError

    def action(self, request, obj_id):
        try:
            self.operate(request, obj_id)
        except ValueError as exc:
            messages.error(request, str(exc))  # the reason, next to "Unable to ..."
            raise exceptions.BadRequest(str(exc))


class FinishLaunch(_RowAction):
    name = "finish"
    states = (record.INTERRUPTED,)
    icon = "play"
    policy_rules = images_tables.LAUNCH_POLICY

    def operate(self, request, row_id):
        launches.finish(request, row_id)

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Finish Launch", "Finish Launches", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy(
            "Resumed launch (the row shows how it ends)",
            "Resumed launches (the rows show how they end)",
            count,
        )


class CleanUpLaunch(_RowAction):
    name = "clean_up"
    classes = ("btn-danger",)
    icon = "trash"
    help_text = _("Deletes the server and boot volume this launch created.")
    policy_rules = (
        ("compute", "os_compute_api:servers:delete"),
        ("volume", "volume:delete"),
    )

    def allowed(self, request, row=None):
        if row is None:
            return True
        return row.volume_id is not None and row.state in (record.INTERRUPTED, record.ERROR)

    def operate(self, request, row_id):
        launches.clean_up(request, row_id)

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Clean Up", "Clean Up", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy(
            "Clean up started (the row goes once all is deleted, or says what is left)",
            "Clean up started (the rows go once all is deleted, or say what is left)",
            count,
        )


class DismissLaunch(_RowAction):
    name = "dismiss"
    states = (record.ACTIVE, record.ERROR)
    icon = "check"
    help_text = _("Removes the row; the server and its volume stay.")
    policy_rules = (("volume", "volume:delete_volume_metadata"),)

    def operate(self, request, row_id):
        launches.dismiss(request, row_id)

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Dismiss", "Dismiss", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Dismissed", "Dismissed", count)


class UpdateRow(tables.Row):
    ajax = True

    def get_data(self, request, row_id):
        row = launches.launch_row(request, row_id) if row_id else None
        if row is None:
            raise exceptions.NotFound()
        return row


class LaunchesTable(tables.DataTable):
    server_name = tables.WrappingColumn("server_name", verbose_name=_("Instance"))
    launch_name = tables.WrappingColumn("launch_name", verbose_name=_("Launch"))
    state = tables.Column(
        "state",
        verbose_name=_("State"),
        status=True,
        status_choices=STATE_CHOICES,
        display_choices=STATE_DISPLAY,
    )
    volume_status = tables.Column(
        "volume_status", verbose_name=_("Boot Volume"), empty_value=_("Deleted")
    )
    made = tables.Column(
        lambda row: clone_texts.made_cell(row.made), verbose_name=_("Clone or Copy")
    )
    server_status = tables.Column("server_status", verbose_name=_("Server"), empty_value="-")
    message = tables.WrappingColumn(
        lambda row: texts.render(row.message), verbose_name=_("Message"), empty_value=""
    )

    class Meta:
        name = "launches"
        verbose_name = _("Launches")
        status_columns = ("state",)
        row_class = UpdateRow
        row_actions = (FinishLaunch, CleanUpLaunch, DismissLaunch)
        table_actions = (images_tables.LaunchFromImage,)

    def get_object_display(self, datum):
        """Action messages name the instance, not its boot volume's id."""
        return datum.server_name or datum.id
