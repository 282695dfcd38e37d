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

"""The "Make fast-clonable" row action and the Conversions table (rows
updated by ajax, Horizon's UpdateRow, while a conversion runs)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables

from lightbits_dashboard.convert import record
from lightbits_dashboard.dashboards import tables as lb_tables
from lightbits_dashboard.dashboards.project.lightbits_images import jobs
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    actions,
    rows,
    texts,
)

# Cinder's create and upload-to-image, Glance's image update.
CONVERT_POLICY = (
    ("volume", "volume:create"),
    ("volume", "volume_extension:volume_actions:upload_image"),
    ("image", "modify_image"),
)


# Characters of a cell shown on its one line (Horizon's truncate); the whole on hover.
NAME_LIMIT = 24
ROUTE_LIMIT = 45  # the routes' names whole; "Unknown (...)" cut
MESSAGE_LIMIT = 40


class MakeFastClonable(tables.LinkAction):
    """Row action on the project's own images."""

    name = "make_fast_clonable"
    verbose_name = _("Make fast-clonable")
    url = "horizon:project:lightbits_images:convert"
    classes = ("ajax-modal",)
    icon = "bolt"
    policy_rules = CONVERT_POLICY

    def allowed(self, request, image=None):
        if image is None:
            return True
        own = getattr(image, "owner", None) == request.user.project_id
        raw = (image.disk_format, image.container_format) == ("raw", "bare")
        return own and image.status == "active" and not raw


class ViewConversions(jobs.ListLink):
    name = "conversions"
    verbose_name = _("Conversions")


class CleanUpConversion(jobs.CleanUp):
    help_text = _("Deletes the temporary volume and the half-made image.")
    past = ngettext_lazy("Clean up started", "Clean up started")

    def allowed(self, request, row=None):
        if row is None:
            return True
        left = row.volume_id or (row.state == record.INTERRUPTED and row.image_id)
        return row.state in (record.INTERRUPTED, record.ERROR) and bool(left)

    def operate(self, request, row_id):
        actions.clean_up(request, row_id)


class FinishConversion(jobs.RowAction):
    name = "finish"
    icon = "play"
    help_text = _("Resumes the conversion from its recorded stage where that is safe.")
    policy_rules = CONVERT_POLICY
    present = ngettext_lazy("Finish", "Finish")
    past = ngettext_lazy("Finishing", "Finishing")
    states = (record.INTERRUPTED,)

    def operate(self, request, row_id):
        actions.finish(request, row_id)


class DismissConversion(jobs.Dismiss):
    help_text = _("Removes the row; both images stay.")

    def allowed(self, request, row=None):
        if row is None:
            return True
        return row.state == record.ACTIVE or (row.state == record.ERROR and not row.volume_id)

    def operate(self, request, row_id):
        actions.dismiss(request, row_id)


class UpdateRow(jobs.UpdateRow):
    def fetch(self, request, row_id):
        return rows.conversion_row(request, row_id)


def _new_image_link(row):
    if not row.image_id or row.state != record.ACTIVE:
        return None
    return reverse("horizon:project:lightbits_images:detail", args=[row.image_id])


class ConversionsTable(lb_tables.DataTable):
    source_name = lb_tables.OneLineColumn(
        "source_name", verbose_name=_("Source Image"), truncate=NAME_LIMIT
    )
    new_name = lb_tables.OneLineColumn(
        "new_name", verbose_name=_("New Image"), link=_new_image_link, truncate=NAME_LIMIT
    )
    state = lb_tables.OneLineColumn(
        "state",
        verbose_name=_("Stage"),
        status=True,
        status_choices=texts.STAGE_CHOICES,
        display_choices=texts.STAGES,
    )
    route = lb_tables.OneLineColumn(
        "route", verbose_name=_("Route"), empty_value="-", truncate=ROUTE_LIMIT
    )
    message = lb_tables.OneLineColumn(
        "message", verbose_name=_("Message"), empty_value="", truncate=MESSAGE_LIMIT
    )

    class Meta(jobs.TableMeta):
        name = "conversions"
        verbose_name = _("Conversions")
        row_class = UpdateRow
        row_actions = (FinishConversion, CleanUpConversion, DismissConversion)

    def get_object_display(self, datum):
        return datum.new_name or datum.id
