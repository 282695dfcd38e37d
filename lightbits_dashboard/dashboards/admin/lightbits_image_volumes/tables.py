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

Cell values are plain strings (Horizon escapes them); the one HTML column,
findings, is built with format_html so every name and text in it is escaped.
"""

import functools
from urllib.parse import quote, urlencode

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, tables

from lightbits_dashboard import inventory as inv
from lightbits_dashboard import model
from lightbits_dashboard.dashboards import tables as lb_tables
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import (
    cached,
    collect,
    convert,
    probe,
    texts,
)
from lightbits_dashboard.model import field

_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@functools.lru_cache(maxsize=8)
def _url_pattern(url_name):
    return reverse(url_name, args=[_PLACEHOLDER])


def _detail_url(url_name, obj_id):
    """reverse() once per URL name, then substitution: thousands of rows
    would otherwise spend a large part of the render resolving URLs."""
    if not obj_id:
        return None
    return _url_pattern(url_name).replace(_PLACEHOLDER, quote(str(obj_id), safe=""))


def _image_url(row):
    return _detail_url("horizon:admin:images:detail", field(getattr(row, "image", None), "id"))


def _volume_url(row):
    return _detail_url("horizon:admin:volumes:detail", field(row.volume, "id"))


def _size(value):
    try:
        return filesizeformat(int(value))
    except (TypeError, ValueError):
        return value or ""


def _findings(row):
    if not row.findings:
        return ""
    return format_html(
        "<ul class='list-unstyled'>{}</ul>",
        format_html_join(
            "",
            "<li><strong>{}</strong>: {}</li>",
            ((texts.finding_label(f), texts.finding_text(f)) for f in row.findings),
        ),
    )


def _image_field(name):
    def get(row):
        value = field(row.image, name, "")
        return "" if value is None else str(value)

    get.__name__ = f"image_{name}"
    return get


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


class _Meta:
    multi_select = False


def _markers(table):
    """(pagination_param, prev_pagination_param) of a paged table (the view reads them)."""
    return f"{table}__marker", f"{table}__prev_marker"


class _PagedTable(lb_tables.DataTable):
    """Pages through the cached inventory's rows (cached.py): a marker is a
    row's position in its table, and the links keep the page's filters."""

    filter_query = {}  # the view sets the page's active filters

    def get_object_id(self, datum):
        return datum.id

    def get_marker(self):
        return str(self.data[-1].pos) if self.data else ""

    def get_prev_marker(self):
        return str(self.data[0].pos) if self.data else ""

    def _with_filters(self, pagination):
        query = urlencode(self.filter_query)
        return f"{query}&{pagination}" if query else pagination

    def get_pagination_string(self):
        return self._with_filters(super().get_pagination_string())

    def get_prev_pagination_string(self):
        return self._with_filters(super().get_prev_pagination_string())


class LinesColumn(tables.Column):
    """Several facts in one cell, one "label: value" per line, all escaped.

    `lines(table, row)` returns [(label, value)]; empty values are skipped.
    Fewer, richer cells keep a page of many rows quick to render (the line
    functions translate with gettext at render time: lazy strings cost a
    proxy call per use).
    """

    def __init__(self, lines, **kwargs):
        self.lines = lines
        super().__init__(lambda row: "", **kwargs)

    def get_raw_data(self, datum):
        pairs = [(k, v) for k, v in self.lines(self.table, datum) if v not in (None, "")]
        if not pairs:
            return ""
        return format_html_join(mark_safe("<br>"), "{}: {}", pairs)


def _project(table, project_id):
    return getattr(table, "project_names", {}).get(project_id, project_id or "")


def _image_lines(table, row):
    image = row.image
    return [
        (gettext("ID"), field(image, "id")),
        (gettext("Owner"), _project(table, field(image, "owner"))),
        (gettext("Status"), field(image, "status")),
        (
            gettext("Format"),
            "{}/{}".format(
                field(image, "disk_format", "?"), field(image, "container_format", "?")
            ),
        ),
        (gettext("Size"), _size(field(image, "size"))),
    ]


def _volume_lines(table, row):
    vol = row.volume
    if vol is None:
        return []
    return [
        (gettext("Name"), field(vol, "name")),
        (
            gettext("Kind"),
            texts.kind_label(getattr(row, "volume_kind", None) or getattr(row, "kind", None)),
        ),
        (gettext("Project"), _project(table, row.project)),
        (gettext("Status"), field(vol, "status")),
        (gettext("Read-only"), gettext("Yes") if inv.is_read_only(vol) else gettext("No")),
        (gettext("Size"), f"{field(vol, 'size')} GiB"),
        (gettext("Type"), field(vol, "volume_type")),
        (gettext("Host"), field(vol, "os-vol-host-attr:host")),
    ]


def _lightbits_lines(table, row):
    side = row.lightbits
    if side is None:
        return []
    if side.status == inv.UNKNOWN:
        return [(gettext("Lightbits"), gettext("unknown"))]
    if side.status == "missing":
        return [(gettext("Lightbits"), gettext("missing"))]
    lvol = side.volume
    return [
        (gettext("UUID"), lvol.get("UUID")),
        (gettext("Name"), lvol.get("name")),
        (gettext("Project"), lvol.get("projectName")),
        (gettext("State"), lvol.get("state")),
        (gettext("Protection"), lvol.get("protectionState")),
        (gettext("Replicas"), lvol.get("replicaCount")),
        (gettext("Compression"), lvol.get("compression")),
        (gettext("Size"), _size(lvol.get("size"))),
        (gettext("Nodes"), ", ".join(str(n) for n in side.nodes)),
    ]


def _boot_volumes(row):
    """'2 cloned, 1 copied' (and how many could not be told) from the Lightbits side."""
    boot = row.boot
    if not boot:
        return ""
    text = gettext("%(cloned)d cloned, %(copied)d copied") % boot
    if boot.get("unknown"):
        text += " " + gettext("(%(unknown)d unknown)") % boot
    return text


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


def _stores(row):
    status = texts.copy_status(row)
    return ", ".join(row.stores) + (f" ({status})" if status else "")


class ImagesTable(_PagedTable):
    name = tables.WrappingColumn(
        _image_field("name"), verbose_name=_("Image"), link=_image_url, truncate=40
    )
    image = LinesColumn(_image_lines, verbose_name=_("Image details"))
    stores = tables.Column(
        _stores,
        verbose_name=_("Stores"),
    )
    copy = tables.Column(
        _copy_state,
        verbose_name=_("Copy"),
        status=True,
        status_choices=(("copying", None), ("failed", False), ("", True)),
        display_choices=(("copying", _("Copying")), ("failed", _("Failed"))),
    )
    volume = tables.WrappingColumn(
        lambda row: field(row.volume, "id", ""),
        verbose_name=_("Image volume"),
        link=_volume_url,
    )
    volume_details = LinesColumn(_volume_lines, verbose_name=_("Image volume details"))
    lightbits = LinesColumn(_lightbits_lines, verbose_name=_("Lightbits volume"))
    boot_volumes = tables.Column(_boot_volumes, verbose_name=_("Boot volumes: cloned / copied"))
    cache = tables.Column(texts.cache_state, verbose_name=_("Image-volume cache"))
    findings = tables.Column(_findings, verbose_name=_("Findings"))

    class Meta(_Meta):
        name = "images"
        pagination_param, prev_pagination_param = _markers(name)
        verbose_name = _("Images and their image volumes")
        row_actions = (
            CopyToLightbits,
            MakeReadOnly,
            probe.ProbeClonePath,
            convert.AdminMakeFastClonable,
        )
        row_class = UpdateImageRow
        status_columns = ["copy"]


class VolumesTable(_PagedTable):
    volume = tables.WrappingColumn(
        lambda row: field(row.volume, "id", "") if row.volume else "",
        verbose_name=_("Cinder volume"),
        link=_volume_url,
    )
    volume_details = LinesColumn(_volume_lines, verbose_name=_("Details"))
    backend = tables.Column(lambda row: row.backend or "", verbose_name=_("Backend"))
    image = tables.Column(
        lambda row: (
            ""
            if not row.image_id
            else "{} ({})".format(row.image_id, _("exists") if row.image_exists else _("gone"))
        ),
        verbose_name=_("Image"),
    )
    lightbits = LinesColumn(_lightbits_lines, verbose_name=_("Lightbits volume"))
    findings = tables.Column(_findings, verbose_name=_("Findings"))

    class Meta(_Meta):
        name = "volumes"
        pagination_param, prev_pagination_param = _markers(name)
        verbose_name = _("Volumes with findings")
        row_actions = (DeleteOrphan,)


def _health(cluster):
    if cluster is None:
        return ""
    if not cluster.ok:
        return _("unknown")
    return _(
        "%(nodes)s nodes (%(inactive)s not active), %(volumes)s volumes: "
        "%(degraded)s Degraded, %(read_only)s ReadOnly, %(na)s NotAvailable"
    ) % {
        "nodes": cluster.nodes,
        "inactive": cluster.nodes_inactive,
        "volumes": cluster.volumes,
        "degraded": cluster.degraded,
        "read_only": cluster.read_only,
        "na": cluster.not_available,
    }


class ConfigTable(lb_tables.DataTable):
    store = tables.Column(lambda row: row.store or "", verbose_name=_("Glance store"))
    store_type = tables.Column(lambda row: row.store_type or "", verbose_name=_("Store type"))
    volume_type = tables.Column(lambda row: row.volume_type or "", verbose_name=_("Volume type"))
    backend = tables.Column(lambda row: row.backend or "", verbose_name=_("Backend"))
    cluster = tables.Column(
        lambda row: (row.cluster.uuid or _("unknown")) if row.cluster else "",
        verbose_name=_("Lightbits cluster"),
    )
    health = tables.Column(lambda row: _health(row.cluster), verbose_name=_("Health"))
    note = tables.Column(lambda row: texts.NOTES.get(row.note, row.note), verbose_name=_("Note"))

    def get_object_id(self, datum):
        return datum.id

    class Meta(_Meta):
        name = "config"
        verbose_name = _("Store → volume type → backend → Lightbits cluster")


class ClustersTable(lb_tables.DataTable):
    backend = tables.Column(lambda c: c.backend, verbose_name=_("Backend"))
    uuid = tables.Column(lambda c: c.uuid if c.ok else _("unknown"), verbose_name=_("UUID"))
    health = tables.Column(_health, verbose_name=_("Health"))
    replicas = tables.Column(
        lambda c: "" if c.max_replicas is None else str(c.max_replicas),
        verbose_name=_("Max replicas"),
    )
    error = tables.Column(lambda c: c.error, verbose_name=_("Error"))

    def get_object_id(self, datum):
        return datum.backend

    class Meta(_Meta):
        name = "clusters"
        verbose_name = _("Lightbits clusters")
