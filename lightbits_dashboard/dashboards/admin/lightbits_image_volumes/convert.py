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

"""Make fast-clonable from the admin panel: any image, including images not yet
on Lightbits. The conversion runs as the admin, in the admin's current
project (the new image's owner), and shows on that project's Conversions
page. The form, the preflight and the driver are the project panel's."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import tables

from lightbits_dashboard import clone_path, model
from lightbits_dashboard.dashboards.project.lightbits_images import data
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    forms as convert_forms,
)
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    tables as convert_tables,
)
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    views as convert_views,
)
from lightbits_dashboard.model import field

URL = model.ADMIN_URLS + "convert"


class AdminMakeFastClonable(tables.LinkAction):
    name = "make_fast_clonable"
    verbose_name = _("Make fast-clonable")
    url = URL
    classes = ("ajax-modal",)
    icon = "bolt"
    policy_rules = convert_tables.CONVERT_POLICY

    def get_link_url(self, datum=None):
        return reverse(self.url, args=[field(datum.image, "id")])

    def allowed(self, request, datum=None):
        image = getattr(datum, "image", None)
        if image is None or not clone_path.check_active(image).ok:
            return False
        raw = clone_path.check_raw_bare(image).ok
        on_lightbits = model.lightbits_store(image, data.store_volume_types()) is not None
        return not (raw and on_lightbits)


class AdminMakeFastClonableForm(convert_forms.MakeFastClonableForm):
    any_image = True


class AdminMakeFastClonableView(convert_views.MakeFastClonableView):
    form_class = AdminMakeFastClonableForm
    url_name = URL
