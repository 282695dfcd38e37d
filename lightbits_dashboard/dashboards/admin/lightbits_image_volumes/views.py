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

"""Thin views. The index and an image's detail page read the cached
whole-cloud inventory (cached.py; collect.collect builds it in the background
when it is missing or old): no API call of their own. The status view tells
the index page when a build is done."""

import functools

from django import shortcuts
from django.http import JsonResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import generic
from horizon import exceptions, forms, messages, tabs
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
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import tabs as panel_tabs
from lightbits_dashboard.model import field

PAGED = ("images", "volumes")


def inventory_head(request):
    """The head of the inventory to show (None: the first one is being
    built). The warnings of a build are given to the user of the request
    that built it, else once per page view."""
    head = cached.current(build_process.Build(request))
    warned = request.session.pop(panel_tables.WARNED, None)
    if head and not head.get("fresh") and warned != head.get("generation"):
        for backend, err in sorted(head.get("cluster_errors", {}).items()):
            collect.cluster_warning(request, backend, err["error"], err["tried_at"])
    return head


class InventoryPage:
    """What the index page shows of the cached inventory: its head, the
    filters, and each table's page of rows."""

    def __init__(self, request):
        self.request = request

    @functools.cached_property
    def head(self):
        return inventory_head(self.request)

    @functools.cached_property
    def filter_form(self):
        head = self.head or {}
        return panel_forms.FilterForm(
            self.request.GET, stores=head.get("stores", ()), projects=head.get("projects")
        )

    @functools.cached_property
    def page(self):
        markers = {
            t: (self.request.GET.get(f"{t}__marker"), self.request.GET.get(f"{t}__prev_marker"))
            for t in PAGED
        }
        return cached.page(
            build_process.Build(self.request),
            self.head,
            self.filter_form.filters(),
            markers,
            utils.get_page_size(self.request),
        )

    def rows(self, table):
        """The rows of ``table`` (a DataTable of the page), which also gets
        the project names, the active filters and its empty text."""
        page = self.page
        table.project_names = page.head.get("projects", {})
        table.filter_query = self.filter_form.filters()
        if page.building:
            table._no_data_message = texts.INVENTORY_BEING_BUILT
        name = table.name
        if name in PAGED:
            return page.rows[name]
        if name == "config":
            return [_config_row(r) for r in page.head.get("config", ())]
        return [inv.ClusterHealth(**c) for c in page.head.get("clusters", ())]

    def has_prev(self, name):
        return name in PAGED and self.page.has_prev.get(name, False)

    def has_more(self, name):
        return name in PAGED and self.page.has_more.get(name, False)

    def finding_counts(self):
        """[(code, label, count, tab)]: tab, the one table the finding is in, or ''."""
        counts = self.page.head.get("counts", {})
        in_tables = self.page.head.get("filters", {})
        found = []
        for code, label in texts.FINDING_LABELS.items():
            names = [t for t in PAGED if f"finding={code}" in in_tables.get(t, ())]
            tab = f"{panel_tables.TAB_GROUP}__{names[0]}" if len(names) == 1 else ""
            found.append((code, label, counts.get(code, 0), tab))
        return found


class IndexView(tabs.TabbedTableView):
    """The four tables as tabs (as admin/info), above them the inventory's
    age, the finding counts and the filters."""

    tab_group_class = panel_tabs.InventoryTabs
    template_name = "admin/lightbits_image_volumes/index.html"
    page_title = _("Lightbits Image Volumes")

    def get(self, request, *args, **kwargs):
        if request.GET.get("refresh"):  # the Refresh link of old (bookmarks)
            panel_tables.start_refresh(request)
            return shortcuts.redirect(panel_tables.with_tab(request.get_full_path(), "images"))
        return super().get(request, *args, **kwargs)

    @functools.cached_property
    def inventory(self):
        return InventoryPage(self.request)

    def get_tabs(self, request, **kwargs):
        if self._tab_group is None:
            self._tab_group = self.tab_group_class(request, inventory=self.inventory, **kwargs)
        return self._tab_group

    def has_prev_data(self, table):
        return self.inventory.has_prev(table.name)

    def has_more_data(self, table):
        return self.inventory.has_more(table.name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.inventory.page
        context["filter_form"] = self.inventory.filter_form
        context["finding_counts"] = self.inventory.finding_counts()
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


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _chunk(head, start):
    """The cached images-table rows from position ``start`` (one stored chunk)."""
    past_the_end = str(head["sizes"]["volumes"])  # no volumes-table row is read
    markers = {
        "images": (str(start - 1) if start else None, None),
        "volumes": (past_the_end, None),
    }
    return cached.read_page(head, {}, markers, cached.CHUNK_ROWS).rows["images"]


def image_rows(head, image_id, hint=None):
    """The cached images-table rows of one image (LookupError: pieces lost).

    An image's rows (one per image volume) are next to each other. The
    chunk holding position ``hint`` (from the link of the index page) is
    read first, then the others until the image is found.
    """
    size = cached.CHUNK_ROWS
    starts = list(range(0, head["sizes"]["images"], size))
    hint = _int(hint)
    if hint is not None and 0 <= hint < head["sizes"]["images"]:
        first = hint - hint % size
        starts.remove(first)
        starts.insert(0, first)

    def of_image(rows):
        return [r for r in rows if field(r.image, "id") == image_id]

    for start in starts:
        found = of_image(_chunk(head, start))
        if not found:
            continue
        before, after = start, start + size  # rows across a chunk's edges
        while found[0].pos == before and before > 0:
            before -= size
            earlier = of_image(_chunk(head, before))
            found = earlier + found
            if not earlier:
                break
        while found[-1].pos == after - 1 and after < head["sizes"]["images"]:
            later = of_image(_chunk(head, after))
            found += later
            after += size
            if not later:
                break
        return found
    return []


class DetailView(tabs.TabView):
    """One image of the cached inventory: its image, image volume(s),
    Lightbits volume(s), boot volumes and findings as tabs, and the images
    table's row actions, as Horizon's detail pages."""

    tab_group_class = panel_tabs.ImageDetailTabs
    template_name = "horizon/common/_detail.html"
    page_title = "{{ image_name }}"

    @memoized.memoized_method
    def get_data(self):
        """(the image's rows, the inventory's head); to the index when not there."""
        index = reverse(model.ADMIN_INDEX_URL)
        image_id = self.kwargs["image_id"]
        head = inventory_head(self.request)
        try:
            rows = image_rows(head, image_id, self.request.GET.get("pos")) if head else None
        except LookupError:  # pieces evicted: the index rebuilds it
            rows = None
        if rows is None:
            messages.info(self.request, texts.INVENTORY_BEING_BUILT)
            raise exceptions.Http302(index)
        if not rows:
            messages.warning(self.request, texts.image_not_in_inventory(image_id, head))
            raise exceptions.Http302(index)
        return rows, head

    def get(self, request, *args, **kwargs):
        self.get_data()  # its redirect before the tabs' error handling
        return super().get(request, *args, **kwargs)

    def get_tabs(self, request, **kwargs):
        rows, head = self.get_data()
        return self.tab_group_class(
            request, rows=rows, projects=head.get("projects", {}), **kwargs
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, _head = self.get_data()
        image = rows[0].image
        table = panel_tables.ImagesTable(self.request)
        context["image_name"] = field(image, "name") or field(image, "id")
        context["actions"] = table.render_row_actions(rows[0])
        context["url"] = reverse(model.ADMIN_INDEX_URL)
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
