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

from concurrent.futures import ThreadPoolExecutor

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, messages, tables, views
from openstack_dashboard import api, policy

from lightbits_dashboard import clone_path, model
from lightbits_dashboard.dashboards.project.lightbits_images import data, texts
from lightbits_dashboard.dashboards.project.lightbits_images import tables as images_tables


class IndexView(tables.PagedTableMixin, tables.DataTableView):
    """Glance pagination as in Horizon's Images panel (Horizon's paging mixin
    and filter reading); Lightbits images only.

    A page shows the Lightbits images among one page of Glance's list, so it
    may hold fewer rows than the page size: the markers stay Glance's.
    """

    table_class = images_tables.LightbitsImagesTable
    page_title = _("Lightbits Images")

    def get_data(self):
        if not policy.check((("image", "get_images"),), self.request):
            return []
        # The cloud's facts do not depend on Glance's page: read at the same
        # time (also for a page without Lightbits images: no wait for them).
        with ThreadPoolExecutor(max_workers=2) as pool:
            down = pool.submit(data.backends_down, self.request, cached=True)
            facts = pool.submit(data.CloneFacts, self.request)
            images = self._glance_page()
            down = down.result()  # never raises: {} when unknown
        for type_name, reason in sorted(down.items()):
            messages.warning(
                self.request,
                _("Volume type %(type)s cannot take new volumes: %(reason)s.")
                % {"type": type_name, "reason": texts.render(reason)},
            )
        if images is None:
            return []
        try:
            found = data.lightbits_images(self.request, images, facts)
        except Exception:
            exceptions.handle(self.request, _("Unable to retrieve volume types."))
            return []
        return data.mark_unavailable(found, down)

    def _glance_page(self):
        """One page of Glance's list (Horizon's markers), or None after an error."""
        marker, sort_dir = self._get_marker()
        try:
            images, self._has_more_data, self._has_prev_data = api.glance.image_list_detailed(
                self.request,
                marker=marker,
                paginate=True,
                filters=self.get_filters(),
                sort_dir="asc",
                sort_key="name",
                # _get_marker says "asc" for a step back (its lists run "desc")
                reversed_order=sort_dir == "asc",
            )
        except Exception:
            exceptions.handle(self.request, _("Unable to retrieve images."))
            return None
        if images:
            self.table.glance_page = (images[0].id, images[-1].id)
        return images


class DetailView(views.HorizonTemplateView):
    template_name = "project/lightbits_images/detail.html"
    page_title = "{{ image.name|default:image.id }}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        image = data.get_lightbits_image(self.request, kwargs["image_id"])
        data.mark_unavailable([image], data.backends_down(self.request, cached=True))
        context["image"] = image
        context["size"] = images_tables.show_size(image)
        context["virtual_size"] = images_tables.show_virtual_size(image)
        # the table's own row actions, with their policy and service checks
        context["actions"] = images_tables.LightbitsImagesTable(self.request).render_row_actions(
            image
        )
        context["clone_verdict"] = texts.verdict(image.clone_verdict)
        if image.clone_unavailable:  # no boot volume can be made now: no "Fast clone"
            context["clone_verdict"] = format_lazy(
                "{}: {}",
                texts.verdict(clone_path.UNAVAILABLE),
                texts.render_all(image.clone_unavailable),
            )
        context["clone_reasons"] = [texts.render(r) for r in image.clone_reasons]
        context["properties"] = sorted(image.properties.items())
        context["stores"] = model.image_stores(image)
        return context
