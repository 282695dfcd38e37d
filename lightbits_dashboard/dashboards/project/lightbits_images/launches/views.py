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

"""The launch workflow's page and the Launches page."""

from django.utils.translation import gettext_lazy as _
from horizon import workflows as horizon_workflows

from lightbits_dashboard.dashboards.project.lightbits_images import data, jobs
from lightbits_dashboard.dashboards.project.lightbits_images.launches import (
    rows,
    tables,
    workflows,
)


class LaunchView(horizon_workflows.WorkflowView):
    workflow_class = workflows.LaunchFromImage

    def get_initial(self):
        """Only the image comes from the URL (never the query string)."""
        initial = {}
        image_id = self.kwargs.get("image_id")
        if image_id:
            initial["image_id"] = data.get_lightbits_image(self.request, image_id).id
        return initial

    def get_context_data(self, **kwargs):
        """The workflow's name as the page title: Horizon's WorkflowView sets
        none, and the page opened without the modal ends its breadcrumb in it."""
        context = super().get_context_data(**kwargs)
        context.setdefault("page_title", context["workflow"].name)
        return context


class LaunchesView(jobs.RowsView):
    """Paged as Horizon's Volumes page: markers are boot volume ids."""

    table_class = tables.LaunchesTable
    page_title = _("Lightbits Launches")
    error = _("Unable to retrieve launches.")

    def has_prev_data(self, table):
        return getattr(self, "_prev", False)

    def has_more_data(self, table):
        return getattr(self, "_more", False)

    def rows(self):
        meta = self.table_class._meta
        self._more = self._prev = False
        page, self._more, self._prev = rows.launch_page(
            self.request,
            marker=self.request.GET.get(meta.pagination_param),
            prev_marker=self.request.GET.get(meta.prev_pagination_param),
        )
        return page
