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

"""The "Make fast-clonable" form: new name (source name + the configured
suffix), "Replace"; the preflight runs again at submit and every problem is
a form error."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages

from lightbits_dashboard import storable
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    checks,
    driver,
    lock,
    texts,
)

CONVERSIONS_URL = "horizon:project:lightbits_images:conversions"


class MakeFastClonableForm(forms.SelfHandlingForm):
    # disabled: the value comes from the view's initial data (the URL), never the POST
    image_id = forms.CharField(widget=forms.HiddenInput(), disabled=True)
    new_name = forms.CharField(
        label=_("New image name"),
        max_length=255,
        help_text=_("The raw copy's name; the source image keeps its own."),
    )
    replace = forms.BooleanField(
        label=_("Replace"),
        required=False,
        help_text=_(
            "Hide the source image (os_hidden) once the copy is active. It is never deleted; "
            "both images name each other in a property."
        ),
    )
    any_image = False  # the admin panel converts any image

    def clean(self):
        cleaned = super().clean()
        storable.clean_text_fields(self)  # a name Glance's database cannot store
        try:
            self.source = checks.source(self.request, cleaned["image_id"])
            problems = checks.check(self.request, self.source, any_image=self.any_image)
        except Exception:
            exceptions.handle(self.request, _("Unable to check the image."))
            raise forms.ValidationError(_("Unable to check the image."))
        if problems:
            raise forms.ValidationError([texts.problem_text(p) for p in problems])
        return cleaned

    def handle(self, request, data):
        try:
            driver.start(request, self.source, data["new_name"], data["replace"])
        except lock.Busy as busy:  # another one took the image since the preflight
            self.api_error(texts.problem_text(busy.problem))
            return False
        except Exception:
            exceptions.handle(request, _("Unable to start the conversion."))
            return False
        messages.success(
            request,
            _("Converting %(name)s: the Conversions page shows its stages.")
            % {"name": self.source.name or self.source.id},
        )
        return True

    def get_success_url(self):
        return reverse(CONVERSIONS_URL)
