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

"""The panel's tabs: the index page's four tables (as admin/info shows its
lists) and an image's detail page (as admin/volumes shows a volume).

Both read only the cached inventory the view hands them (``inventory``: the
index's page of it; ``rows``: the image's rows): no API call.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from horizon import tabs

from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import tables, texts
from lightbits_dashboard.model import field

TEMPLATES = "admin/lightbits_image_volumes/"


class _InventoryTab(tabs.TableTab):
    """One table of the index page; its rows come from the view's page of
    the cached inventory (views.InventoryPage)."""

    template_name = "horizon/common/_detail_table.html"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        meta = cls.table_classes[0]._meta
        cls.slug, cls.name = meta.name, meta.verbose_name
        setattr(cls, f"get_{meta.name}_data", lambda self: self._rows())

    @property
    def inventory(self):
        return self.tab_group.kwargs["inventory"]

    def _rows(self):
        return self.inventory.rows(self._tables[self.slug])

    def has_prev_data(self, table):
        return self.inventory.has_prev(table.name)

    def has_more_data(self, table):
        return self.inventory.has_more(table.name)


class ImagesTab(_InventoryTab):
    table_classes = (tables.ImagesTable,)


class VolumesTab(_InventoryTab):
    table_classes = (tables.VolumesTable,)


class ConfigTab(_InventoryTab):
    table_classes = (tables.ConfigTable,)


class ClustersTab(_InventoryTab):
    table_classes = (tables.ClustersTable,)


class InventoryTabs(tabs.TabGroup):
    slug = tables.TAB_GROUP
    tabs = (ImagesTab, VolumesTab, ConfigTab, ClustersTab)
    sticky = True


# -- an image's detail page ------------------------------------------------------


class _ImageTab(tabs.Tab):
    """A tab of facts as "label: value" lists: one list per image volume
    (headed by its name where the image has several) whose ``subject``
    (a field of the row) is there."""

    template_name = TEMPLATES + "_detail_facts.html"
    subject = None
    empty = ""

    def get_context_data(self, request):
        rows = self.tab_group.kwargs["rows"]
        projects = self.tab_group.kwargs["projects"]
        shown = [row for row in rows if getattr(row, self.subject) is not None]
        heading = len(shown) > 1
        sections = [
            (_volume_name(row) if heading else "", _pairs(self.facts(row, projects)))
            for row in shown
        ]
        return {"sections": sections, "empty": self.empty}

    def facts(self, row, projects):
        """[(label, value)] of the row's subject; empty values are left out."""
        raise NotImplementedError


def _volume_name(row):
    return field(row.volume, "name") or field(row.volume, "id")


def _pairs(pairs):
    return [(label, value) for label, value in pairs if value not in (None, "")]


class OverviewTab(_ImageTab):
    name = _("Image")
    slug = "overview"
    subject = "image"

    def get_context_data(self, request):
        """The image once, whatever its number of image volumes."""
        row, projects = self.tab_group.kwargs["rows"][0], self.tab_group.kwargs["projects"]
        return {"sections": [("", _pairs(self.facts(row, projects)))]}

    def facts(self, row, projects):
        image = row.image
        return [
            (gettext("Name"), field(image, "name")),
            (gettext("ID"), tables.short(field(image, "id"), tables.image_url(image), 40)),
            (gettext("Owner"), projects.get(field(image, "owner"), field(image, "owner"))),
            (gettext("Status"), field(image, "status")),
            (gettext("Format"), tables.image_format(image)),
            (gettext("Size"), tables.size(field(image, "size"))),
            (gettext("Stores"), ", ".join(row.stores)),
            (gettext("Copy"), texts.copy_status(row)),
            (gettext("Image-volume cache"), texts.cache_state(row)),
        ]


class ImageVolumeTab(_ImageTab):
    name = _("Image volume")
    slug = "image_volume"
    subject = "volume"
    empty = _("The image has no image volume.")

    def facts(self, row, projects):
        vol = row.volume
        return [
            (gettext("Name"), field(vol, "name")),
            (gettext("ID"), tables.short(field(vol, "id"), tables.volume_url(vol), 40)),
            (gettext("Kind"), texts.kind_label(row.volume_kind)),
            (gettext("Project"), projects.get(row.project, row.project)),
            (gettext("Status"), field(vol, "status")),
            (gettext("Read-only"), texts.read_only(vol)),
            (gettext("Size"), gettext("%s GiB") % field(vol, "size")),
            (gettext("Type"), field(vol, "volume_type")),
            (gettext("Host"), field(vol, "os-vol-host-attr:host")),
            (gettext("Store"), row.store),
            (gettext("Backend"), row.backend),
        ]


# The Lightbits volume's fields shown as they are: (label, field).
_LIGHTBITS_FIELDS = (
    (_("UUID"), "UUID"),
    (_("Name"), "name"),
    (_("Project"), "projectName"),
    (_("State"), "state"),
    (_("Protection"), "protectionState"),
    (_("Replicas"), "replicaCount"),
    (_("Compression"), "compression"),
)


class LightbitsTab(_ImageTab):
    """The Lightbits volume behind each image volume, as the cluster lists it."""

    name, slug, subject = _("Lightbits volume"), "lightbits", "lightbits"
    empty = _("The image has no volume on a configured Lightbits cluster.")

    def facts(self, row, projects):
        if row.lightbits.status != "found":
            return [(gettext("Lightbits volume"), texts.lightbits_state(row.lightbits))]
        lvol = row.lightbits.volume or {}
        return [(str(label), lvol.get(key)) for label, key in _LIGHTBITS_FIELDS] + [
            (gettext("Size"), tables.size(lvol.get("size"))),
            (gettext("Nodes"), ", ".join(str(n) for n in row.lightbits.nodes)),
            (gettext("Backend"), row.lightbits.backend),
        ]


class BootVolumesTab(_ImageTab):
    name = _("Boot volumes")
    slug = "boot_volumes"
    template_name = TEMPLATES + "_detail_boot_volumes.html"

    def get_context_data(self, request):
        boot = self.tab_group.kwargs["rows"][0].boot or {}
        counts = [
            (gettext("Cloned"), boot.get("cloned", 0)),
            (gettext("Copied"), boot.get("copied", 0)),
            (gettext("Not told apart"), boot.get("unknown", 0)),
        ]
        return {"known": bool(boot), "counts": counts}


class FindingsTab(_ImageTab):
    name = _("Findings")
    slug = "findings"
    template_name = TEMPLATES + "_detail_findings.html"

    def get_context_data(self, request):
        """Each finding once (an image's own findings repeat on each of its
        image volumes), with the row action that fixes it."""
        findings, seen = [], set()
        table = tables.ImagesTable(request)
        for row in self.tab_group.kwargs["rows"]:
            actions = {a.name: a for a in table.get_row_actions(row)}
            for finding in row.findings:
                fix = _fix(actions, row, finding)
                key = (finding.code, repr(sorted((finding.params or {}).items())), fix)
                if key not in seen:
                    seen.add(key)
                    findings.append(
                        {
                            "label": texts.finding_label(finding),
                            "text": texts.finding_text(finding),
                            "fix": fix,
                        }
                    )
        return {"findings": findings}


def _fix(actions, row, finding):
    """(URL, label, CSS classes) of the row's action that fixes the finding, or None."""
    action_class = tables.FIX_ACTIONS.get(finding.action)
    action = actions.get(action_class.name) if action_class else None
    if action is None:
        return None
    return action.get_link_url(row), str(action.verbose_name), " ".join(action.classes)


class ImageDetailTabs(tabs.DetailTabsGroup):
    slug = "lightbits_image"
    tabs = (OverviewTab, ImageVolumeTab, LightbitsTab, BootVolumesTab, FindingsTab)
