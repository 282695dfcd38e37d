"""Thin views: collect.collect() fetches and builds, the tables render."""

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, tables
from horizon.utils import memoized
from openstack_dashboard import api
from openstack_dashboard.utils import settings as utils

from lightbits_dashboard import inventory as inv
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import collect
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import forms as panel_forms
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import (
    tables as panel_tables,
)

INDEX_URL = "horizon:admin:lightbits_image_volumes:index"


class IndexView(tables.MultiTableView):
    table_classes = (
        panel_tables.ImagesTable,
        panel_tables.VolumesTable,
        panel_tables.ConfigTable,
        panel_tables.ClustersTable,
    )
    template_name = "admin/lightbits_image_volumes/index.html"
    page_title = _("Lightbits Image Volumes")

    @memoized.memoized_method
    def _inventory(self):
        return collect.collect(self.request)

    @memoized.memoized_method
    def _filter_form(self):
        result, projects = self._inventory()
        stores = sorted({s for row in result.image_rows for s in row.stores})
        return panel_forms.FilterForm(self.request.GET, stores=stores, projects=projects)

    @memoized.memoized_method
    def _page(self, table_name):
        result, _projects = self._inventory()
        rows = result.image_rows if table_name == "images" else result.volume_rows
        rows = inv.filter_rows(rows, **self._filter_form().filters())
        marker_param = f"{table_name}__marker"
        prev_param = f"{table_name}__prev_marker"
        return inv.paginate(
            rows,
            marker=self.request.GET.get(marker_param),
            prev_marker=self.request.GET.get(prev_param),
            size=utils.get_page_size(self.request),
        )

    def get_images_data(self):
        return self._page("images")[0]

    def get_volumes_data(self):
        return self._page("volumes")[0]

    def get_config_data(self):
        return self._inventory()[0].config_rows

    def get_clusters_data(self):
        return list(self._inventory()[0].clusters.values())

    def has_prev_data(self, table):
        return table.name in ("images", "volumes") and self._page(table.name)[1]

    def has_more_data(self, table):
        return table.name in ("images", "volumes") and self._page(table.name)[2]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result, projects = self._inventory()
        # Set here, not in get_tables: an AJAX row update must not collect.
        for table in self.get_tables().values():
            table.project_names = projects
            table.filter_query = self._filter_form().filters()
        context["filter_form"] = self._filter_form()
        context["tables"] = [
            (t._meta.verbose_name, context[f"{t._meta.name}_table"]) for t in self.table_classes
        ]
        context["finding_counts"] = [
            (code, label, result.counts.get(code, 0)) for code, label in inv.FINDING_LABELS.items()
        ]
        return context


class _ConfirmView(forms.ModalFormView):
    """A confirmation modal for one object id taken from the URL."""

    id_kwarg = None
    submit_url_name = None
    target_error = None  # the message when the object cannot be read
    success_url = reverse_lazy(INDEX_URL)

    def get_initial(self):
        return {self.id_kwarg: self.kwargs[self.id_kwarg]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_url"] = reverse(
            "horizon:admin:lightbits_image_volumes:" + self.submit_url_name,
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
    form_class = panel_forms.MakeReadOnlyForm
    template_name = "admin/lightbits_image_volumes/make_read_only.html"
    modal_id = "make_read_only_modal"
    page_title = _("Make Image Volume Read-only")
    submit_label = _("Make read-only")
    submit_url_name = "make_read_only"


class DeleteOrphanView(_VolumeConfirmView):
    form_class = panel_forms.DeleteOrphanForm
    template_name = "admin/lightbits_image_volumes/delete_orphan.html"
    modal_id = "delete_orphan_modal"
    page_title = _("Delete Orphaned Image Volume")
    submit_label = _("Delete orphan")
    submit_url_name = "delete_orphan"


class CopyView(_ConfirmView):
    form_class = panel_forms.CopyForm
    template_name = "admin/lightbits_image_volumes/copy.html"
    modal_id = "copy_to_lightbits_modal"
    page_title = _("Copy Image to Lightbits")
    submit_label = _("Copy")
    submit_url_name = "copy"
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
        kwargs["stores"] = collect.lightbits_stores(stores, volume_types)
        return kwargs
