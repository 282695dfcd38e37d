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

"""Admin "Probe clone path": one minimal volume from a raw Lightbits image in a
chosen volume type, reported as a clone or a copy, then deleted
(lightbits_dashboard.clone_probe does the work; this is its Horizon side).
"""

import threading
import uuid

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions, forms, messages, tables
from openstack_dashboard import api

from lightbits_dashboard import clone_probe, conf, model
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import lightbits as lb_api
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import forms as panel_forms
from lightbits_dashboard.launch import clone_check
from lightbits_dashboard.model import field as _field

PROBE_URL = model.ADMIN_URLS + "probe"
ERRORS = {
    clone_probe.CREATE_REFUSED: _("Cinder refused the probe volume: %(detail)s"),
    clone_probe.VOLUME_ERROR: _("The probe volume went to error (see Cinder's log)."),
    clone_probe.TIMED_OUT: _("The probe volume was not made within %(timeout)s s."),
    clone_probe.GONE: _("The probe volume disappeared while it was made."),
}


REFUSALS = {
    "image_not_active": _("The image is not active (status %(status)s)."),
    "not_raw_bare": _(
        "The image is %(disk)s/%(container)s, not raw/bare: Cinder never clones it, "
        "so a probe would only make a full copy (Make fast-clonable converts it)."
    ),
    clone_probe.NOT_ON_LIGHTBITS: _("The image is in no Lightbits store."),
}


def refusals(image):
    """Why this image is not probed, in words ([]: it can be)."""
    found = clone_probe.refusals(image, conf.get("STORE_VOLUME_TYPES"))
    return [REFUSALS[m.code] % m.params for m in found]


def probe_types(stores):
    """The Lightbits volume types that clone from the given stores."""
    mapped = conf.get("STORE_VOLUME_TYPES")
    return sorted({t for s in stores for t in mapped.get(s, [])})


class ProbeClonePath(tables.LinkAction):
    """Row action of the images table: raw/bare active images on Lightbits."""

    name = "probe"
    verbose_name = _("Probe clone path")
    icon = "stethoscope"
    classes = ("ajax-modal",)
    url = PROBE_URL
    policy_rules = (("volume", "context_is_admin"),)

    def allowed(self, request, datum=None):
        if datum is None:
            return False
        return not clone_probe.refusals(datum.image, conf.get("STORE_VOLUME_TYPES"))

    def get_link_url(self, datum=None):
        return reverse(self.url, args=[_field(datum.image, "id")])


class HorizonProbeOps:
    """clone_probe's ops over Horizon's api (and the cluster, when configured)."""

    def __init__(self, request, volume_type):
        self.request, self.volume_type = request, volume_type

    def create_volume(self, name, size, volume_type, image_id, metadata):
        return lb_cinder.volume_from_image(
            self.request, name, size, volume_type, image_id, metadata
        )

    def volume_status(self, volume_id):
        volume = lb_cinder.volume_get_raw(self.request, volume_id)
        return volume.status if volume is not None else None

    def delete_volume(self, volume_id):
        api.cinder.volume_delete(self.request, volume_id)

    def lightbits_source(self, volume_id):
        """True when the Lightbits volume has a source snapshot; None: not readable."""
        specs = getattr(self.volume_type, "extra_specs", None) or {}
        backend = specs.get("volume_backend_name")
        if backend not in lb_api.backends():
            return None
        project = specs.get("lightos:project_name") or "default"
        found = lb_api.client_for(backend).request(
            "GET", f"/projects/{project}/volumes/", params={"name": f"volume-{volume_id}"}
        )
        if not isinstance(found, dict) or not found:
            return None
        return bool(found.get("sourceSnapshotUUID") or found.get("sourceSnapshotName"))


def _in_background(work):
    threading.Thread(target=work, name="lightbits-probe-cleanup", daemon=True).start()


class ProbeForm(panel_forms.ImageChoiceForm):
    volume_type = forms.ThemableChoiceField(label=_("Volume type"))
    choice = "volume_type"

    def __init__(self, request, *args, refusals=(), **kwargs):
        super().__init__(request, *args, **kwargs)
        self.refusals = refusals  # of the URL's image, read by the view

    def clean(self):
        # What the table would not offer, from a crafted URL: refused, with why.
        for reason in self.refusals:
            self.add_error(None, _("This image cannot be probed: %s") % reason)
        return super().clean()

    def handle(self, request, data):
        try:
            image = api.glance.image_get(request, data["image_id"])
            types = {t.name: t for t in api.cinder.volume_type_list(request)}
        except Exception:
            exceptions.handle(request, _("Unable to retrieve the image."), redirect=_index())
            return False
        volume_type = types.get(data["volume_type"])
        if refusals(image) or volume_type is None:  # changed since the form was checked
            self.api_error(
                _("Only an active raw image and an existing volume type can be probed.")
            )
            return False
        timeout = conf.get("LAUNCH_CLONE_TIMEOUT")
        prober = clone_probe.Prober(
            HorizonProbeOps(request, volume_type),
            timeout=timeout,
            cleanup_timeout=conf.get("LAUNCH_CLEANUP_TIMEOUT") + timeout,
            poll_interval=min(
                conf.get("LAUNCH_POLL_INTERVAL"), conf.get("LAUNCH_VOLUME_POLL_INTERVAL")
            ),
            later=_in_background,
        )
        name = f"lightbits-probe-{uuid.uuid4().hex[:8]}"
        size = clone_probe.probe_size_gib(image)
        result = prober.run(image.id, volume_type.name, size, name)
        say(request, result, image, volume_type.name, timeout)
        return True


def say(request, result, image, type_name, timeout):
    """One message: clone or copy, and what is left."""
    what = {"image": image.name or image.id, "type": type_name}
    if result.error:
        text = ERRORS[result.error] % {"detail": result.detail, "timeout": timeout}
        messages.error(request, _("Probe of %(image)s in %(type)s: ") % what + str(text))
    elif result.kind == clone_check.CLONE:
        lightbits = {
            True: _("the Lightbits volume has a source snapshot"),
            False: _("but the Lightbits volume has no source snapshot"),
            None: _("the Lightbits side was not read"),
        }[result.lightbits_clone]
        text = _("Probe of %(image)s in %(type)s: fast clone in %(seconds)s s (%(lightbits)s).")
        what.update(seconds=result.seconds, lightbits=lightbits)
        (messages.success if result.lightbits_clone is not False else messages.warning)(
            request, text % what
        )
    else:
        messages.warning(
            request,
            _(
                "Probe of %(image)s in %(type)s: COPY, not a clone (the volume passed "
                "through downloading after %(seconds)s s). Check Cinder's "
                "allowed_direct_url_schemes, the host/pool of the image volume, the "
                "type's lightos:project_name, and Cinder's debug log."
            )
            % dict(what, seconds=result.seconds),
        )
    if result.left_behind:
        messages.error(
            request, _("The probe volume %s could not be deleted: delete it.") % result.volume_id
        )
    elif result.deleting_later:
        messages.info(
            request,
            _("The probe volume %s is deleted as soon as Cinder lets it (once made).")
            % result.volume_id,
        )


def _index():
    return reverse(model.ADMIN_INDEX_URL)


class ProbeView(forms.ModalFormView):
    form_class = ProbeForm
    template_name = "admin/lightbits_image_volumes/probe.html"
    modal_id = "probe_clone_path_modal"
    page_title = _("Probe Clone Path")
    submit_label = _("Probe")

    def get_success_url(self):
        return _index()

    def get_initial(self):
        return {"image_id": self.kwargs["image_id"]}

    def _image(self):
        if not hasattr(self, "_image_cache"):
            try:
                self._image_cache = api.glance.image_get(self.request, self.kwargs["image_id"])
            except Exception:
                exceptions.handle(
                    self.request, _("Unable to retrieve the image."), redirect=_index()
                )
        return self._image_cache

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        image = self._image()
        kwargs["choices"] = probe_types(model.image_stores(image) if image else ())
        kwargs["refusals"] = refusals(image) if image else []
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_url"] = reverse(PROBE_URL, args=[self.kwargs["image_id"]])
        context["target"] = self._image()
        context["refusals"] = context["form"].refusals
        return context
