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

"""Thin views. The index reads the cached whole-cloud inventory (cached.py;
collect.collect builds it in the background when it is missing or old),
then its page of rows; the status view tells the page when a build is done."""

from django.http import JsonResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import generic
from horizon import exceptions, forms, tables
from horizon.utils import memoized
from openstack_dashboard import api
from openstack_dashboard.utils import settings as utils

from lightbits_dashboard import inventory as inv
from lightbits_dashboard import model
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import (
    build_process,
    cached,
    collect,
    texts,
)
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import forms as panel_forms
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import (
    tables as panel_tables,
)

PAGED = ("images", "volumes")


class IndexView(tables.MultiTableView):
    table_classes = (
        panel_tables.ImagesTable,
        panel_tables.VolumesTable,
        panel_tables.ConfigTable,
        panel_tables.ClustersTable,
    )
    template_name = "admin/lightbits_image_volumes/index.html"
    page_title = _("Lightbits Image Volumes")

    @property
    def _build(self):
        return build_process.Build(self.request, refresh=self._refresh())

    def _refresh(self):
        return bool(self.request.GET.get("refresh"))

    @memoized.memoized_method
    def _head(self):
        head = cached.current(self._build, refresh=self._refresh())
        if head and not head.get("fresh"):  # the builder's request had the messages
            for backend, err in sorted(head.get("cluster_errors", {}).items()):
                collect.cluster_warning(self.request, backend, err["error"], err["tried_at"])
        return head

    @memoized.memoized_method
    def _filter_form(self):
        head = self._head() or {}
        return panel_forms.FilterForm(
            self.request.GET, stores=head.get("stores", ()), projects=head.get("projects")
        )

    @memoized.memoized_method
    def _page(self):
        markers = {
            t: (self.request.GET.get(f"{t}__marker"), self.request.GET.get(f"{t}__prev_marker"))
            for t in PAGED
        }
        return cached.page(
            self._build,
            self._head(),
            self._filter_form().filters(),
            markers,
            utils.get_page_size(self.request),
        )

    def get_images_data(self):
        return self._page().rows["images"]

    def get_volumes_data(self):
        return self._page().rows["volumes"]

    def get_config_data(self):
        return [_config_row(r) for r in self._page().head.get("config", ())]

    def get_clusters_data(self):
        return [inv.ClusterHealth(**c) for c in self._page().head.get("clusters", ())]

    def has_prev_data(self, table):
        return table.name in PAGED and self._page().has_prev.get(table.name, False)

    def has_more_data(self, table):
        return table.name in PAGED and self._page().has_more.get(table.name, False)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self._page()
        projects = page.head.get("projects", {})
        # Set here, not in get_tables: an AJAX row update must not collect.
        for table in self.get_tables().values():
            table.project_names = projects
            table.filter_query = self._filter_form().filters()
        context["filter_form"] = self._filter_form()
        context["tables"] = [
            (t._meta.verbose_name, context[f"{t._meta.name}_table"]) for t in self.table_classes
        ]
        counts = page.head.get("counts", {})
        context["finding_counts"] = [
            (code, label, counts.get(code, 0)) for code, label in texts.FINDING_LABELS.items()
        ]
        if page.building:
            for table in self.get_tables().values():
                table._no_data_message = texts.INVENTORY_BEING_BUILT
        context["inventory"] = {
            "building": page.building,
            "building_for": page.building_for,
            "generation": page.generation,
            "status_url": reverse("horizon:admin:lightbits_image_volumes:inventory_status"),
            "age": page.age,
            "max_age": cached.max_age(),
            "failed": [_LISTS.get(n, n) for n in page.head.get("failed", ())],
        }
        return context


class InventoryStatusView(generic.View):
    """JSON for the index page's poll: the stored inventory's generation and
    the seconds the build in progress has run (null: none)."""

    def get(self, request):
        return JsonResponse(cached.status())


# Names of the lists the inventory reads (collect.collect's "failed").
_LISTS = {
    "images": _("images"),
    "volumes": _("volumes"),
    "volume_types": _("volume types"),
    "stores": _("Glance stores"),
    "projects": _("projects"),
}


def _config_row(data):
    cluster = data.get("cluster")
    return inv.ConfigRow(**dict(data, cluster=inv.ClusterHealth(**cluster) if cluster else None))


class _ConfirmView(forms.ModalFormView):
    """A confirmation modal for one object id taken from the URL."""

    id_kwarg = None
    action = None  # its URL name, which also names its template and its modal
    target_error = None  # the message when the object cannot be read
    success_url = reverse_lazy(model.ADMIN_INDEX_URL)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.action:
            cls.template_name = f"admin/lightbits_image_volumes/{cls.action}.html"
            cls.modal_id = cls.__dict__.get("modal_id", f"{cls.action}_modal")

    def get_initial(self):
        return {self.id_kwarg: self.kwargs[self.id_kwarg]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_url"] = reverse(
            model.ADMIN_URLS + self.action,
            args=[self.kwargs[self.id_kwarg]],
        )
        context["target"] = self.get_target()
        return context

    @memoized.memoized_method
    def get_target(self):
        """The object confirmed; unreadable: back to the index with a message."""
        try:
            return self.fetch_target(self.kwargs[self.id_kwarg])
        except Exception:
            exceptions.handle(self.request, self.target_error, redirect=self.success_url)

    def fetch_target(self, object_id):
        raise NotImplementedError


class _VolumeConfirmView(_ConfirmView):
    id_kwarg = "volume_id"
    target_error = _("Unable to retrieve the volume.")

    def fetch_target(self, volume_id):
        return api.cinder.volume_get(self.request, volume_id)


class MakeReadOnlyView(_VolumeConfirmView):
    action = "make_read_only"
    form_class = panel_forms.MakeReadOnlyForm
    page_title = _("Make Image Volume Read-only")
    submit_label = _("Make read-only")


class DeleteOrphanView(_VolumeConfirmView):
    action = "delete_orphan"
    form_class = panel_forms.DeleteOrphanForm
    page_title = _("Delete Orphaned Image Volume")
    submit_label = _("Delete orphan")


class CopyView(_ConfirmView):
    action = "copy"
    form_class = panel_forms.CopyForm
    modal_id = "copy_to_lightbits_modal"
    page_title = _("Copy Image to Lightbits")
    submit_label = _("Copy")
    id_kwarg = "image_id"
    target_error = _("Unable to retrieve the image.")

    def fetch_target(self, image_id):
        return api.glance.image_get(self.request, image_id)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        try:
            stores = lb_glance.store_list_detail(self.request)
            volume_types = api.cinder.volume_type_list(self.request)
        except Exception:
            exceptions.handle(
                self.request, _("Unable to retrieve Glance stores."), redirect=self.success_url
            )
        kwargs["choices"] = collect.lightbits_stores(stores, volume_types)
        return kwargs
