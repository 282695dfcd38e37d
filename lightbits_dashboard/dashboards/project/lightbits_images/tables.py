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

from urllib import parse

from django.template import defaultfilters as filters
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from horizon import tables

from lightbits_dashboard import clone_path
from lightbits_dashboard.convert import record
from lightbits_dashboard.dashboards import tables as lb_tables
from lightbits_dashboard.dashboards.project.lightbits_images import texts
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    tables as conversion_tables,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launches import (
    tables as launch_tables,
)

NAME_LIMIT = 32  # characters of a name shown in a cell; the whole on hover


class ImageFilterAction(tables.FilterAction):
    """Server-side filters, passed to Glance as Horizon's Images table does."""

    filter_type = "server"
    filter_choices = (
        ("name", _("Image Name ="), True),
        ("disk_format", _("Format ="), True),
        ("visibility", _("Visibility ="), True),
    )


def get_format(image):
    disk, container = image.disk_format or "", image.container_format or ""
    return f"{disk.upper()}/{container.upper()}" if disk or container else ""


def _properties(image):
    return getattr(image, "properties", None) or {}


def get_virtual_size(image):
    """Glance's virtual size; for a converted image without one, its source's
    (carried by the conversion). None (shown "Unknown") when neither is known:
    Glance reports 0 for some."""
    return getattr(image, "virtual_size", None) or record.source_virtual_size(_properties(image))


def virtual_size_note(image):
    """Why a virtual size is not Glance's own, or None."""
    if getattr(image, "virtual_size", None) or get_virtual_size(image) is None:
        return None
    return texts.CONVERTED_VIRTUAL_SIZE_NOTE


def size_note(image):
    """What a converted image's size is (its image volume's), or None."""
    return texts.CONVERTED_SIZE_NOTE if _properties(image).get(record.CONVERTED_FROM) else None


def _with_note(value, note):
    if not note:
        return value
    return format_html('{}<br><small class="text-muted">{}</small>', value, note)


def show_size(image):
    """The detail page's size, with what a converted image's size is."""
    return _with_note(filters.filesizeformat(image.size), size_note(image))


def show_virtual_size(image):
    size = get_virtual_size(image)
    if size is None:
        return None
    return _with_note(filters.filesizeformat(size), virtual_size_note(image))


def size_cell(image):
    """The table's size: one line, the note on hover."""
    return lb_tables.one_line(filters.filesizeformat(image.size), title=size_note(image))


def virtual_size_cell(image):
    size = get_virtual_size(image)
    if size is None:
        return None
    return lb_tables.one_line(filters.filesizeformat(size), title=virtual_size_note(image))


def _copied_format(image):
    """The disk format that makes Cinder copy the image, or None."""
    for reason in image.clone_reasons or ():
        if getattr(reason, "code", None) == "not_raw_bare":
            return reason.params.get("disk")
    return None


def clone_path_status(image):
    """(short status, the row's reasons as one text): "Fast clone", "Copy: qcow2",
    "Copy", "Unavailable now"..."""
    unavailable = getattr(image, "clone_unavailable", None)
    if unavailable:  # its backend cannot take a boot volume now: no "Fast clone"
        return texts.verdict(clone_path.UNAVAILABLE), texts.render_all(unavailable)
    reasons = texts.render_all(image.clone_reasons)
    disk_format = image.clone_verdict == clone_path.COPY and _copied_format(image)
    if disk_format:
        return texts.COPY_FORMAT % {"format": disk_format}, reasons
    return texts.verdict(image.clone_verdict), reasons


def get_clone_path(image):
    """The short status; the reasons on hover (the detail page says them in full)."""
    status, reasons = clone_path_status(image)
    return lb_tables.one_line(status, title=reasons)


class LightbitsImagesTable(lb_tables.DataTable):
    """Markers are the bounds of Glance's page, not of the rows shown.

    The rows are the Lightbits images among a page of Glance's list; paging
    from the last row would re-read (or, with no row, lose) the rest of it.
    """

    glance_page = ()  # (first id, last id) of Glance's page, set by the view

    def get_marker(self):
        if self.glance_page:
            return parse.quote_plus(self.glance_page[-1])
        return super().get_marker()

    def get_prev_marker(self):
        if self.glance_page:
            return parse.quote_plus(self.glance_page[0])
        return super().get_prev_marker()

    def get_empty_message(self):
        """Horizon hides paging without rows: link the next Glance page here."""
        if self.glance_page and self.has_more_data():
            return format_html(
                '{} <a href="?{}">{}</a>',
                _("No Lightbits image on this page of the image catalog."),
                self.get_pagination_string(),
                _("Next page"),
            )
        return super().get_empty_message()

    name = lb_tables.OneLineColumn(
        lambda image: image.name or image.id,
        link="horizon:project:lightbits_images:detail",
        truncate=NAME_LIMIT,  # Horizon's: the whole name on hover
        verbose_name=_("Image Name"),
    )
    image_format = lb_tables.OneLineColumn(get_format, verbose_name=_("Format"))
    size = lb_tables.OneLineColumn(size_cell, verbose_name=_("Size"), attrs={"data-type": "size"})
    virtual_size = lb_tables.OneLineColumn(
        virtual_size_cell,
        verbose_name=_("Virtual Size"),
        attrs={"data-type": "size"},
        empty_value=_("Unknown"),
    )
    min_disk = lb_tables.OneLineColumn("min_disk", verbose_name=_("Min. Disk (GiB)"))
    visibility = lb_tables.OneLineColumn("visibility", verbose_name=_("Visibility"))
    store = lb_tables.OneLineColumn("store", verbose_name=_("Store"))
    clone_path = lb_tables.OneLineColumn(
        get_clone_path, verbose_name=_("Clone Path"), help_text=texts.CLONE_PATH_HELP
    )

    class Meta:
        name = "lightbits_images"
        verbose_name = _("Lightbits Images")
        pagination_param = "image_marker"
        prev_pagination_param = "prev_image_marker"
        table_actions = (
            ImageFilterAction,
            launch_tables.LaunchFromImage,
            launch_tables.ViewLaunches,
            conversion_tables.ViewConversions,
        )
        row_actions = (launch_tables.LaunchFromImage, conversion_tables.MakeFastClonable)
