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

"""Tables of the panel: images (the chain), volumes, configuration, clusters.

One value per cell and one line per row, as Horizon's admin tables: names
and ids are cut short with the whole value in their hover, findings are
short badges whose hover is the finding's text, and the rest is on the
image's detail page (tabs.py). Cells holding HTML are built with
format_html, so every name and text in them is escaped.
"""

import functools
from urllib.parse import quote, urlencode

from django import shortcuts
from django.template.defaultfilters import filesizeformat, truncatechars
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, tables

from lightbits_dashboard import inventory as inv
from lightbits_dashboard import model
from lightbits_dashboard.dashboards import tables as lb_tables
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import (
    build_process,
    cached,
    collect,
    convert,
    probe,
    texts,
)
from lightbits_dashboard.model import field

_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
TAB_GROUP = "lightbits_inventory"  # the index page's tabs: TAB_GROUP__<table name>
NAME_LENGTH = 24  # characters of a name shown in a cell (all of it in the hover)
ID_LENGTH = 13  # characters of a UUID shown in a cell
STATE_LENGTH = 30  # "Available · FullyProtected"


def _one_line(data):
    return {"class": "text-nowrap"}


# Kwargs of a column whose cells (short values: names and states cut short)
# keep to one line; its header may wrap.
ONE_LINE = {"cell_attributes_getter": _one_line}
PROJECT_LENGTH = 10  # a project's name (or id, when its name was not read)
# Session key: the inventory generation whose build warnings this user was given.
WARNED = "lightbits_inventory_warned"


@functools.lru_cache(maxsize=8)
def _url_pattern(url_name):
    return reverse(url_name, args=[_PLACEHOLDER])


def _detail_url(url_name, obj_id):
    """reverse() once per URL name, then substitution: thousands of rows
    would otherwise spend a large part of the render resolving URLs."""
    if not obj_id:
        return None
    return _url_pattern(url_name).replace(_PLACEHOLDER, quote(str(obj_id), safe=""))


def image_detail_url(image_id, pos=None):
    """The panel's page of one image; ``pos``, the row's position in the
    cached images table, spares that page a search."""
    url = _detail_url(model.ADMIN_URLS + "detail", image_id)
    return f"{url}?pos={pos}" if url and pos is not None else url


def volume_url(volume):
    return _detail_url("horizon:admin:volumes:detail", field(volume, "id"))


def image_url(image):
    return _detail_url("horizon:admin:images:detail", field(image, "id"))


def size(value):
    try:
        return filesizeformat(int(value))
    except (TypeError, ValueError):
        return value or ""


def short(value, url=None, length=NAME_LENGTH, title=None):
    """A cell value cut to ``length`` characters, linked to ``url`` if given;
    its hover is ``title``, or the whole value when it was cut."""
    value = "" if value is None else str(value)
    shown = truncatechars(value, length)
    if title is None and shown != value:
        title = value
    if url:
        return format_html('<a href="{}"{}>{}</a>', url, _title(title), shown)
    if title:
        return format_html("<span{}>{}</span>", _title(title), shown)
    return shown


def _title(title):
    return format_html(' title="{}"', title) if title else ""


def badges(findings):
    """The findings as short labels, each with its full text as hover."""
    return format_html_join(
        " ",
        '<span class="label label-warning" title="{}: {}">{}</span>',
        (
            (texts.finding_label(f), texts.finding_text(f), texts.finding_badge(f))
            for f in findings
        ),
    )


class _ActionForFinding(tables.LinkAction):
    """A row action shown only where a finding offers it; it links to the
    panel's URL of its name, for the row's ``target`` ("image" or "volume")."""

    finding_action = None
    target = None
    classes = ("ajax-modal",)
    policy_rules = (("volume", "context_is_admin"),)

    def allowed(self, request, datum=None):
        return datum is not None and any(
            f.action == self.finding_action for f in getattr(datum, "findings", [])
        )

    def get_link_url(self, datum=None):
        target_id = field(getattr(datum, self.target), "id")
        return reverse(model.ADMIN_URLS + self.name, args=[target_id])


class CopyToLightbits(_ActionForFinding):
    name, target, icon = "copy", "image", "copy"
    verbose_name = _("Copy to Lightbits")
    finding_action = inv.ACTION_COPY


class MakeReadOnly(_ActionForFinding):
    name, target, icon = "make_read_only", "volume", "lock"
    verbose_name = _("Make read-only")
    finding_action = inv.ACTION_MAKE_READ_ONLY


class DeleteOrphan(_ActionForFinding):
    name, target, icon = "delete_orphan", "volume", "trash"
    verbose_name = _("Delete orphan")
    classes = ("ajax-modal", "btn-danger")
    finding_action = inv.ACTION_DELETE_ORPHAN


# The row action that fixes a finding, by the finding's action code.
FIX_ACTIONS = {a.finding_action: a for a in (CopyToLightbits, MakeReadOnly, DeleteOrphan)}


def start_refresh(request):
    """Rebuild the inventory now (the clusters' lists read again), waiting
    for it at most INVENTORY_BUILD_WAIT; the next view shows what is stored."""
    head = cached.current(build_process.Build(request, refresh=True), refresh=True)
    if head and head.get("fresh"):
        # This request has the build's warnings: the next view does not repeat them.
        request.session[WARNED] = head["generation"]


def with_tab(url, table_name):
    """``url`` with the index page's tab of ``table_name`` selected."""
    path, _sep, query = url.partition("?")
    params = [p for p in query.split("&") if p and not p.startswith(("tab=", "refresh="))]
    params.append(f"tab={TAB_GROUP}__{table_name}")
    return f"{path}?{'&'.join(params)}"


class RefreshInventory(tables.Action):
    """Rebuild the whole-cloud inventory (POST), then back to the same page
    and tab, which shows the new inventory or that it is being built."""

    name = "refresh"
    verbose_name = _("Refresh")
    icon = "refresh"
    requires_input = False
    preempt = True  # handled before the page reads the inventory it replaces
    policy_rules = (("volume", "context_is_admin"),)

    def single(self, table, request, obj_id):
        start_refresh(request)
        return shortcuts.redirect(with_tab(request.get_full_path(), table.name))


class _Meta:
    multi_select = False
    table_actions = (RefreshInventory,)


def _markers(table):
    """(pagination_param, prev_pagination_param) of a paged table (the view reads them)."""
    return f"{table}__marker", f"{table}__prev_marker"


class _PagedTable(lb_tables.DataTable):
    """Pages through the cached inventory's rows (cached.py): a marker is a
    row's position in its table, and the links keep the page's filters and
    the table's tab."""

    filter_query = {}  # the view sets the page's active filters

    def get_object_id(self, datum):
        return datum.id

    def get_marker(self):
        return str(self.data[-1].pos) if self.data else ""

    def get_prev_marker(self):
        return str(self.data[0].pos) if self.data else ""

    def _with_filters(self, pagination):
        query = urlencode(dict(self.filter_query, tab=f"{TAB_GROUP}__{self.name}"))
        return f"{query}&{pagination}"

    def get_pagination_string(self):
        return self._with_filters(super().get_pagination_string())

    def get_prev_pagination_string(self):
        return self._with_filters(super().get_prev_pagination_string())


class _TableColumn(tables.Column):
    """A column whose value needs the table too (``get(table, row)``)."""

    def __init__(self, get, **kwargs):
        self.get = get
        super().__init__(lambda row: "", **kwargs)

    def get_raw_data(self, datum):
        return self.get(self.table, datum)


def project_name(table, project_id):
    return getattr(table, "project_names", {}).get(project_id, project_id or "")


class UpdateImageRow(tables.Row):
    """Polls rows whose copy into a Lightbits store is in progress."""

    ajax = True

    def get_data(self, request, row_id):
        if not row_id:  # a hand-made row_update URL without obj_id
            raise exceptions.NotFound()
        row = collect.image_row(request, row_id)
        if _copy_state(row) != "copying":
            # The copy this row was polled for ended: the cached inventory
            # still says "copying", so the next view rebuilds it.
            cached.invalidate()
        return row


def _copy_state(row):
    if row.copying:
        return "copying"
    return "failed" if row.copy_failed else ""


def _image_name(row):
    image_id = field(row.image, "id")
    url = image_detail_url(image_id, getattr(row, "pos", None))
    return short(field(row.image, "name") or image_id, url)


def _owner(table, row):
    return short(project_name(table, field(row.image, "owner")), length=PROJECT_LENGTH)


def image_format(image):
    return "{}/{}".format(field(image, "disk_format", "?"), field(image, "container_format", "?"))


def _stores(row):
    return short(", ".join(row.stores), title=texts.copy_status(row) or None)


def _image_volume(row):
    """The image volume's status linked to Horizon's page, a lock when it is
    read-only (its name and the read-only flag in the hover)."""
    volume = row.volume
    if volume is None:
        return ""
    name = field(volume, "name") or field(volume, "id")
    status = short(
        field(volume, "status"), volume_url(volume), title=f"{name}: {texts.read_only(volume)}"
    )
    if not inv.is_read_only(volume):
        return status
    return format_html(
        '{} <span class="fa fa-lock" title="{}"></span>', status, texts.read_only(volume)
    )


def _lightbits(row):
    """The Lightbits volume's protection state (and its state unless Available);
    its UUID and both states in the hover."""
    side = row.lightbits
    uuid = field(side.volume, "UUID") if side is not None else None
    shown = texts.lightbits_state(side, brief=True)
    title = f"{uuid}: {texts.lightbits_state(side)}" if uuid else None
    return short(shown, length=STATE_LENGTH, title=title)


def _boot(row):
    return short(texts.boot_counts(row), title=texts.boot_volumes(row) or None)


def _cache(row):
    return short(texts.cache_badge(row), title=texts.cache_state(row) or None)


def _findings(row):
    return badges(row.findings)


class ImagesTable(_PagedTable):
    name = tables.Column(_image_name, verbose_name=_("Image"), **ONE_LINE)
    owner = _TableColumn(_owner, verbose_name=_("Owner"), **ONE_LINE)
    format = tables.Column(
        lambda row: image_format(row.image), verbose_name=_("Format"), **ONE_LINE
    )
    size = tables.Column(
        lambda row: size(field(row.image, "size")), verbose_name=_("Size"), **ONE_LINE
    )
    stores = tables.Column(_stores, verbose_name=_("Stores"))
    copy = tables.Column(
        _copy_state,
        verbose_name=_("Copy"),
        status=True,
        status_choices=(("copying", None), ("failed", False), ("", True)),
        display_choices=(("copying", _("Copying")), ("failed", _("Failed"))),
    )
    volume = tables.Column(_image_volume, verbose_name=_("Image volume"), **ONE_LINE)
    lightbits = tables.Column(_lightbits, verbose_name=_("Lightbits volume"), **ONE_LINE)
    boot_volumes = tables.Column(
        _boot,
        verbose_name=_("Boot volumes"),
        help_text=_("Boot volumes made from the image: cloned / copied."),
    )
    cache = tables.Column(_cache, verbose_name=_("Cache"), help_text=_("Image-volume cache"))
    findings = tables.Column(_findings, verbose_name=_("Findings"))

    class Meta(_Meta):
        name = "images"
        pagination_param, prev_pagination_param = _markers(name)
        verbose_name = _("Images")
        row_actions = (
            CopyToLightbits,
            MakeReadOnly,
            probe.ProbeClonePath,
            convert.AdminMakeFastClonable,
        )
        row_class = UpdateImageRow
        status_columns = ["copy"]


def _volume_name(row):
    volume = row.volume
    name = field(volume, "name") or field(volume, "id")
    return short(name, volume_url(volume), title=field(volume, "id"))


def _volume_project(table, row):
    return short(project_name(table, row.project), length=PROJECT_LENGTH)


def _volume_size(row):
    return gettext("%s GiB") % field(row.volume, "size") if row.volume else ""


def _image_of(row):
    """The volume's image: linked to its page while it exists, else marked gone."""
    if not row.image_id:
        return ""
    if row.image_exists:
        return short(row.image_id, image_detail_url(row.image_id), ID_LENGTH, row.image_id)
    return format_html(
        '{} <span class="label label-default">{}</span>',
        short(row.image_id, length=ID_LENGTH, title=row.image_id),
        gettext("gone"),
    )


class VolumesTable(_PagedTable):
    volume = tables.Column(_volume_name, verbose_name=_("Cinder volume"), **ONE_LINE)
    kind = tables.Column(
        lambda row: texts.kind_label(row.kind), verbose_name=_("Kind"), **ONE_LINE
    )
    project = _TableColumn(_volume_project, verbose_name=_("Project"))
    status = tables.Column(lambda row: field(row.volume, "status", ""), verbose_name=_("Status"))
    size = tables.Column(_volume_size, verbose_name=_("Size"), **ONE_LINE)
    backend = tables.Column(lambda row: short(row.backend or ""), verbose_name=_("Backend"))
    image = tables.Column(_image_of, verbose_name=_("Image"), **ONE_LINE)
    lightbits = tables.Column(_lightbits, verbose_name=_("Lightbits volume"), **ONE_LINE)
    findings = tables.Column(_findings, verbose_name=_("Findings"))

    class Meta(_Meta):
        name = "volumes"
        pagination_param, prev_pagination_param = _markers(name)
        verbose_name = _("Volumes with findings")
        row_actions = (DeleteOrphan,)


def _cluster_uuid(cluster):
    if cluster is None:
        return ""
    return short(cluster.uuid, length=ID_LENGTH) if cluster.ok else gettext("unknown")


def _health(cluster):
    return short(texts.cluster_state(cluster), title=texts.cluster_health(cluster) or None)


class ConfigTable(lb_tables.DataTable):
    store = tables.Column(lambda row: short(row.store or ""), verbose_name=_("Glance store"))
    store_type = tables.Column(lambda row: row.store_type or "", verbose_name=_("Store type"))
    volume_type = tables.Column(
        lambda row: short(row.volume_type or ""), verbose_name=_("Volume type")
    )
    backend = tables.Column(lambda row: short(row.backend or ""), verbose_name=_("Backend"))
    cluster = tables.Column(lambda row: _cluster_uuid(row.cluster), verbose_name=_("Cluster"))
    health = tables.Column(lambda row: _health(row.cluster), verbose_name=_("Health"))
    note = tables.Column(lambda row: texts.NOTES.get(row.note, row.note), verbose_name=_("Note"))

    def get_object_id(self, datum):
        return datum.id

    class Meta(_Meta):
        name = "config"
        verbose_name = _("Configuration")


def _count(value):
    return "" if value is None else str(value)


class ClustersTable(lb_tables.DataTable):
    backend = tables.Column(lambda c: short(c.backend), verbose_name=_("Backend"))
    uuid = tables.Column(_cluster_uuid, verbose_name=_("UUID"))
    health = tables.Column(_health, verbose_name=_("Health"))
    nodes = tables.Column(lambda c: _count(c.nodes) if c.ok else "", verbose_name=_("Nodes"))
    volumes = tables.Column(lambda c: _count(c.volumes) if c.ok else "", verbose_name=_("Volumes"))
    replicas = tables.Column(lambda c: _count(c.max_replicas), verbose_name=_("Max replicas"))
    error = tables.Column(lambda c: short(c.error, length=40), verbose_name=_("Error"))

    def get_object_id(self, datum):
        return datum.backend

    class Meta(_Meta):
        name = "clusters"
        verbose_name = _("Lightbits clusters")
