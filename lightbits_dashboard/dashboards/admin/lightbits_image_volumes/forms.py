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

"""The filter form and the confirmations of the three fix actions.

Each action re-reads what it acts on at POST time and refuses (form error)
when the finding no longer holds: the page may be stale, or the URL forged.
"""

from django import forms as django_forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages
from openstack_dashboard import api

from lightbits_dashboard import inventory as inv
from lightbits_dashboard import model
from lightbits_dashboard.api import cinder_admin
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.api import lightbits as lb_api
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import cached, collect, texts


class FilterForm(django_forms.Form):
    """GET filters of the index page; unknown values are form errors."""

    finding = django_forms.ChoiceField(label=_("Finding"), required=False)
    store = django_forms.ChoiceField(label=_("Store"), required=False)
    project = django_forms.ChoiceField(label=_("Project"), required=False)

    def __init__(self, data, stores=(), projects=None, **kwargs):
        super().__init__(data, **kwargs)
        everything = [("", _("All"))]
        self.fields["finding"].choices = everything + list(texts.FINDING_LABELS.items())
        self.fields["store"].choices = everything + [(s, s) for s in stores]
        self.fields["project"].choices = everything + sorted(
            (projects or {}).items(), key=lambda kv: str(kv[1]).lower()
        )

    def filters(self):
        """The valid filters ({} when the form is invalid)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


# The id fields are disabled: Django then takes their value from the view's
# initial data (the URL's id), never from the POST, so the object acted on is
# the one the confirmation showed.


class _VolumeActionForm(forms.SelfHandlingForm):
    """Re-check (``refusal``), act (``act``), say so: the texts take the
    refusal, the volume id and the volume name."""

    volume_id = forms.CharField(widget=forms.HiddenInput(), disabled=True)
    refused = failed = done = None

    def _volume(self, request, volume_id):
        try:
            return api.cinder.volume_get(request, volume_id)
        except Exception:
            exceptions.handle(
                request,
                _("Unable to retrieve the volume."),
                redirect=reverse(model.ADMIN_INDEX_URL),
            )

    def refusal(self, request, volume):
        raise NotImplementedError

    def act(self, request, volume):
        raise NotImplementedError

    def handle(self, request, data):
        volume = self._volume(request, data["volume_id"])
        refusal = self.refusal(request, volume)
        if refusal:
            self.api_error(self.refused % refusal)
            return False
        try:
            self.act(request, volume)
        except Exception:
            exceptions.handle(
                request, self.failed % volume.id, redirect=reverse(model.ADMIN_INDEX_URL)
            )
            return False
        messages.success(request, self.done % volume.name)
        cached.invalidate()  # the next view shows the change
        return True


class MakeReadOnlyForm(_VolumeActionForm):
    refused = _("Not made read-only: %s")
    failed = _("Unable to make volume %s read-only.")
    done = _("Image volume %s is now read-only.")

    def refusal(self, request, volume):
        return collect.read_only_refusal(volume)

    def act(self, request, volume):
        cinder_admin.volume_set_readonly(request, volume.id, True)


class DeleteOrphanForm(_VolumeActionForm):
    refused = _("Not deleted: %s")
    failed = _("Unable to delete volume %s.")
    done = _("Deleting orphaned image volume %s.")

    def refusal(self, request, volume):
        return collect.orphan_refusal(request, volume)

    def act(self, request, volume):
        api.cinder.volume_delete(request, volume.id)
        for backend in lb_api.backends():
            lb_api.forget_cluster_state(backend)


class ImageChoiceForm(forms.SelfHandlingForm):
    """An image (the URL's) and one of the view's ``choices`` in the field
    named ``choice``."""

    image_id = forms.CharField(widget=forms.HiddenInput(), disabled=True)
    choice = None

    def __init__(self, request, *args, choices=(), **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields[self.choice].choices = [(c, c) for c in choices]


class CopyForm(ImageChoiceForm):
    store = forms.ThemableChoiceField(label=_("Lightbits store"))
    choice = "store"

    def handle(self, request, data):
        try:
            image = api.glance.image_get(request, data["image_id"])
        except Exception:
            exceptions.handle(
                request,
                _("Unable to retrieve the image."),
                redirect=reverse(model.ADMIN_INDEX_URL),
            )
            return False
        store = data["store"]
        if image.status != "active":
            self.api_error(_("Only an active image can be copied (status: %s).") % image.status)
            return False
        if store in model.image_stores(image):
            self.api_error(_("The image is already in store %s.") % store)
            return False
        if store in inv.importing_stores(image):
            self.api_error(_("The image is already being copied to store %s.") % store)
            return False
        try:
            lb_glance.image_copy_to_stores(request, image.id, [store])
        except Exception:
            exceptions.handle(
                request,
                _("Unable to copy image %(image)s to store %(store)s.")
                % {"image": image.id, "store": store},
                redirect=reverse(model.ADMIN_INDEX_URL),
            )
            return False
        messages.success(
            request,
            _("Copying image %(name)s to store %(store)s; the Stores column shows the progress.")
            % {"name": image.name or image.id, "store": store},
        )
        cached.invalidate()  # the next view shows the change
        return True
