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

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import forms as horizon_forms
from horizon.utils import memoized

from lightbits_dashboard import conf, model
from lightbits_dashboard.dashboards.project.lightbits_images import jobs
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    checks,
    forms,
    rows,
    tables,
    texts,
)

INDEX_URL = reverse_lazy(model.PROJECT_INDEX_URL)


class MakeFastClonableView(horizon_forms.ModalFormView):
    form_class = forms.MakeFastClonableForm
    template_name = "project/lightbits_images/convert.html"
    modal_id = "make_fast_clonable_modal"
    page_title = _("Make Fast-Clonable")
    submit_label = _("Convert")
    success_url = reverse_lazy(forms.CONVERSIONS_URL)
    url_name = "horizon:project:lightbits_images:convert"

    @memoized.memoized_method
    def get_source(self):
        try:
            return checks.source(self.request, self.kwargs["image_id"])
        except Exception:
            exceptions.handle(self.request, _("Unable to retrieve the image."), redirect=INDEX_URL)

    def get_initial(self):
        src = self.get_source()
        suffix = conf.get("CONVERT_NAME_SUFFIX")
        return {"image_id": src.id, "new_name": (src.name or src.id) + suffix}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_url"] = reverse(self.url_name, args=[self.kwargs["image_id"]])
        src = context["source"] = self.get_source()
        if self.request.method == "GET":
            notes = []
            try:
                any_image = self.form_class.any_image
                problems = checks.check(self.request, src, any_image=any_image, notes=notes)
            except Exception:
                problems = []
            context["problems"] = [texts.problem_text(p) for p in problems]
            context["notes"] = [texts.NOTES[n] for n in notes]
        return context


class ConversionsView(jobs.RowsView):
    table_class = tables.ConversionsTable
    page_title = _("Lightbits Conversions")
    error = _("Unable to retrieve conversions.")

    def rows(self):
        return rows.conversion_rows(self.request)
