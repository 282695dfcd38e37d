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

"""The "Launch from Lightbits image" workflow.

Each step's action validates its own fields in clean(); later steps see the
cleaned values of earlier ones in their initial context (Horizon builds the
actions in order on POST), which is how the Flavor step checks the boot
volume size against the flavor's disk (an invalid step hands Horizon's raw
POST to the next ones instead: SetSource.contribute drops what it derives).
Workflow.validate() checks the quotas of the whole launch before anything is
created; handle() starts the background driver and returns as soon as Cinder
has the boot volumes (a few seconds at most).
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from horizon import exceptions, forms, workflows
from openstack_dashboard import api
from openstack_dashboard.dashboards.project.instances import utils as instance_utils

from lightbits_dashboard import clone_path, conf, storable
from lightbits_dashboard.dashboards.project.lightbits_images import data, texts
from lightbits_dashboard.dashboards.project.lightbits_images.launches import driver
from lightbits_dashboard.launch import clone_check, image_fit, orchestrator, record, sizing

USER_DATA_MAX = 16384  # characters; kept in the boot volume's metadata until boot
NAME_MAX = 200  # leaves room for "-10-boot" within Cinder's and Nova's 255


def optional_checkbox(label, help_text=""):
    """A checkbox that may stay unticked (Django's BooleanField is required
    unless told otherwise)."""
    return forms.BooleanField(label=label, required=False, help_text=help_text)


def _choices_or_error(request, call, message):
    try:
        return call()
    except Exception:
        exceptions.handle(request, message)
        return []


class ServerValidatedAction(workflows.Action):
    """A step validated by the server only, as the rest of the workflow is.

    No browser-side "required"/"min"/"max": on a step not shown they block
    the Launch button without marking any step or saying why. Text the
    cloud cannot store (4-byte characters) is refused on its field.
    """

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for attr in ("min", "max", "step"):
                field.widget.attrs.pop(attr, None)

    def clean(self):
        cleaned = super().clean()
        storable.clean_text_fields(self)
        return cleaned


# -- Details -------------------------------------------------------------------


class SetDetailsAction(ServerValidatedAction):
    name = forms.CharField(label=_("Instance Name"), max_length=NAME_MAX)
    availability_zone = forms.ThemableChoiceField(label=_("Availability Zone"), required=False)
    count = forms.IntegerField(label=_("Count"), initial=1)

    class Meta:
        name = _("Details")
        slug = "set_details"
        help_text = _(
            "With a count above one the servers are named name-1, name-2, ... "
            "and their boot volumes are cloned at the same time."
        )

    def __init__(self, request, context, *args, **kwargs):
        super().__init__(request, context, *args, **kwargs)
        maximum = conf.get("LAUNCH_MAX_COUNT")
        self.fields["count"].help_text = _("1 to %s instances") % maximum

    def populate_availability_zone_choices(self, request, context):
        zones = _choices_or_error(
            request,
            lambda: api.nova.availability_zone_list(request),
            _("Unable to retrieve availability zones."),
        )
        choices = []
        # openstacksdk objects (name, state); novaclient's (zoneName, zoneState)
        for zone in zones:
            name = getattr(zone, "name", None) or getattr(zone, "zoneName", None)
            state = getattr(zone, "state", None) or getattr(zone, "zoneState", None) or {}
            if name and state.get("available", True):
                choices.append((name, name))
        return [("", _("Any Availability Zone"))] + sorted(choices)

    def clean_count(self):
        count = self.cleaned_data["count"]
        maximum = conf.get("LAUNCH_MAX_COUNT")
        if count < 1 or count > maximum:
            raise forms.ValidationError(_("Count must be between 1 and %s.") % maximum)
        return count

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name


class SetDetails(workflows.Step):
    action_class = SetDetailsAction
    contributes = ("name", "availability_zone", "count")


# -- Source --------------------------------------------------------------------


class SetSourceAction(ServerValidatedAction):
    image_id = forms.ThemableChoiceField(label=_("Lightbits Image"))
    volume_size = forms.IntegerField(
        label=_("Boot Volume Size (GiB)"),
        required=False,
        min_value=1,
        help_text=_("Empty: the smallest size that works for the image and flavor."),
        # not id_volume_size: Horizon's horizon.instances.js rewrites that field on flavor change
        widget=forms.NumberInput(attrs={"id": "id_boot_volume_size"}),
    )
    volume_type = forms.ThemableChoiceField(label=_("Volume Type"))
    delete_on_terminate = optional_checkbox(_("Delete Volume on Instance Delete"))
    copy_confirmed = optional_checkbox(
        _("Launch anyway, with a full copy of the image"),
        _("Needed only for an image whose clone path is Copy."),
    )
    require_clone = optional_checkbox(
        _("Require fast clone"),
        _(
            "Stop an instance as soon as Cinder starts copying the image instead of "
            "cloning it (its boot volume passes through downloading), and delete its "
            "boot volume."
        ),
    )

    class Meta:
        name = _("Source")
        slug = "set_source"
        help_text = _(
            "Cinder clones the boot volume from the image volume on Lightbits only "
            "when the image's clone path is Fast clone; otherwise it downloads and "
            "copies the whole image, which takes much longer."
        )

    def __init__(self, request, context, *args, **kwargs):
        self._images = self._load_images(request, context)
        super().__init__(request, context, *args, **kwargs)
        self.fields["delete_on_terminate"].initial = conf.get("DELETE_ON_TERMINATE_DEFAULT")
        self.fields["require_clone"].initial = conf.get("REQUIRE_FAST_CLONE")
        if context.get("image_id") and len(self._images) == 1:
            image = self._images[0][0]
            self.help_text = clone_path_text(image)
            self.fields["volume_type"].help_text = self.help_text
            down = data.backends_down(request)
            if data.mark_unavailable([image], down)[0].clone_unavailable:
                # no boot volume can be made now: say that, not the clone path
                self.help_text = backend_down_text(down)
            elif down:
                self.help_text = format_lazy("{} {}", self.help_text, backend_down_text(down))
            # Left empty, the size becomes max(this, the flavor's disk) in clean().
            minimum = self.image_min_gib(image)
            self.fields["volume_size"].widget.attrs["placeholder"] = minimum
            self.fields["volume_size"].help_text = _(
                "At least %(min)s GiB for this image, and the flavor's disk if larger. "
                "Empty: the smallest size that works."
            ) % {"min": minimum}

    @staticmethod
    def _load_images(request, context):
        """[(image, store)]: the fixed image, or the active Lightbits images."""
        if context.get("image_id"):
            image = data.get_lightbits_image(request, context["image_id"])
            return [(image, image.store)]
        images = _choices_or_error(
            request,
            lambda: api.glance.image_list_detailed(request, filters={"status": "active"})[0],
            _("Unable to retrieve images."),
        )
        return [(image, image.store) for image in data.lightbits_images(request, images)]

    def populate_image_id_choices(self, request, context):
        choices = [(image.id, image.name or image.id) for image, _store in self._images]
        if not context.get("image_id"):
            choices.insert(0, ("", _("Select a Lightbits image")))
        return choices

    def populate_volume_type_choices(self, request, context):
        types = _choices_or_error(
            request,
            lambda: api.cinder.volume_type_list(request),
            _("Unable to retrieve volume types."),
        )
        self._existing_types = {t.name for t in types}
        stores = {store for _image, store in self._images}
        mapped = data.store_volume_types()
        names = sorted(
            {t for store in stores for t in mapped.get(store, []) if t in self._existing_types}
        )
        return [(name, name) for name in names]

    @staticmethod
    def image_min_gib(image):
        return sizing.min_boot_volume_gib(
            size=image.size,
            virtual_size=getattr(image, "virtual_size", None),
            min_disk=image.min_disk,
        )

    def clean(self):
        cleaned = super().clean()
        found = [(i, s) for i, s in self._images if i.id == cleaned.get("image_id")]
        if not found:
            return cleaned
        image, store = found[0]
        minimum = self.image_min_gib(image)
        cleaned["image_min_gib"] = minimum
        cleaned["image_min_ram"] = int(getattr(image, "min_ram", 0) or 0)
        cleaned["image_fit_props"] = image_fit.relevant_props(image)
        cleaned["image_name"] = image.name or image.id
        verdict = getattr(image, "clone_verdict", None)
        cleaned["clone_expected"] = clone_check.expected_kind(
            verdict, clone_path.FAST_CLONE_VERDICTS
        )
        if image.status != "active":
            self.add_error(
                "image_id",
                _("Only an active image can be launched (this one is %s).") % image.status,
            )
        size = cleaned.get("volume_size")
        if size is not None and size < minimum:
            self.add_error(
                "volume_size",
                _("The boot volume must be at least %(min)s GiB for this image.")
                % {"min": minimum},
            )
        if verdict == clone_path.COPY and cleaned.get("require_clone"):
            self.add_error(
                "require_clone",
                format_lazy(
                    "{} {}",
                    clone_path_text(image),
                    _('This image cannot fast-clone: untick "Require fast clone" to copy it.'),
                ),
            )
        elif verdict == clone_path.COPY and not cleaned.get("copy_confirmed"):
            self.add_error("copy_confirmed", clone_path_text(image))
        volume_type = cleaned.get("volume_type")
        allowed = data.store_volume_types().get(store, [])
        if volume_type and volume_type not in allowed:
            self.add_error(
                "volume_type",
                _("Volume type %(type)s does not clone from store %(store)s.")
                % {"type": volume_type, "store": store},
            )
        return cleaned


def backend_down_text(down):
    """One warning naming each Lightbits volume type whose backend is down."""
    return "; ".join(
        _("Volume type %(type)s cannot take new volumes: %(reason)s.")
        % {"type": name, "reason": texts.render(reason)}
        for name, reason in sorted(down.items())
    )


def clone_path_text(image):
    """The image's clone path with its reasons, and a warning before a copy."""
    verdict = getattr(image, "clone_verdict", "")
    reasons = "; ".join(texts.render(r) for r in getattr(image, "clone_reasons", None) or [])
    if verdict == clone_path.COPY:
        return _(
            "Clone path: Copy (%(reasons)s). Cinder will download and copy the whole "
            "image instead of cloning it on Lightbits: the launch takes much longer. "
            "Tick “Launch anyway” to go ahead."
        ) % {"reasons": reasons}
    if verdict == clone_path.FAST_CLONE_CACHE:
        return _(
            "Clone path: Fast clone (from cache): Cinder's image-volume cache holds this "
            "image, so the boot volume is a clone of the cache entry."
        )
    if reasons:
        return _("Clone path: Fast clone (%(reasons)s).") % {"reasons": reasons}
    return _("Clone path: Fast clone: the boot volume is a clone of the image volume.")


class SetSource(workflows.Step):
    action_class = SetSourceAction
    contributes = (
        "image_id",
        "image_name",
        "image_min_gib",
        "image_min_ram",
        "image_fit_props",
        "volume_size",
        "volume_type",
        "delete_on_terminate",
        "require_clone",
        "clone_expected",
    )
    # Computed by the action's clean(), never typed by the user.
    derived = (
        "image_name",
        "image_min_gib",
        "image_min_ram",
        "image_fit_props",
        "clone_expected",
    )

    def contribute(self, data, context):
        """An invalid step contributes the raw POST (Horizon's rule): the
        derived values must not come from it, or a forged image_min_gib
        reaches the Flavor step's checks."""
        context = super().contribute(data, context)
        if not self.action.is_valid():
            for key in self.derived:
                context[key] = None
        return context


# -- Flavor --------------------------------------------------------------------


class SetFlavorAction(ServerValidatedAction):
    flavor = forms.ThemableChoiceField(label=_("Flavor"))

    class Meta:
        name = _("Flavor")
        slug = "set_flavor"
        help_text = _("The boot volume is never smaller than the flavor's root disk.")

    def populate_flavor_choices(self, request, context):
        flavors = instance_utils.flavor_list(request)  # Horizon's; reports its own errors
        self._flavors = {f.id: f for f in flavors}
        # Horizon's order (CREATE_INSTANCE_FLAVOR_SORT, by RAM by default)
        ordered = instance_utils.sort_flavor_list(request, flavors, with_menu_label=False)
        choices = [
            (
                f.id,
                _("%(name)s (%(vcpus)s VCPU, %(ram)s MB RAM, %(disk)s GiB disk)")
                % {"name": f.name, "vcpus": f.vcpus, "ram": f.ram, "disk": f.disk},
            )
            for f in ordered
        ]
        return [("", _("Select a flavor"))] + choices

    def clean(self):
        cleaned = super().clean()
        flavor = self._flavors.get(cleaned.get("flavor"))
        if flavor is None:
            return cleaned
        cleaned["flavor_vcpus"], cleaned["flavor_ram"] = flavor.vcpus, flavor.ram
        image_min = self.initial.get("image_min_gib")
        if image_min is None:  # the Source step is invalid: it reports why
            return cleaned
        refused = self._image_refusals(flavor)
        if refused:  # Nova refuses the boot (FlavorMemoryTooSmall, ...): say it here
            raise forms.ValidationError(texts.render_all(refused))
        minimum = max(int(image_min), int(flavor.disk or 0))
        size = self.initial.get("volume_size")
        if size is not None and int(size) < minimum:
            raise forms.ValidationError(
                _(
                    "The boot volume (%(size)s GiB) is below the minimum of %(min)s GiB "
                    "for this image and flavor %(flavor)s."
                )
                % {"size": size, "min": minimum, "flavor": flavor.name}
            )
        cleaned["boot_volume_gib"] = size if size is not None else minimum
        return cleaned

    def _image_refusals(self, flavor):
        """The image properties Nova would refuse with this flavor (launch/image_fit)."""
        props = dict(self.initial.get("image_fit_props") or {})
        props["min_ram"] = int(self.initial.get("image_min_ram") or 0)
        specs = {}
        if image_fit.needs_extra_specs(props):
            specs = None  # one call, for the chosen flavor only
            try:
                specs = api.nova.flavor_get_extras(
                    self.request, flavor.id, raw=True, flavor=flavor
                )
            except Exception:  # left to Nova; the page says the specs were not read
                exceptions.handle(self.request, _("Unable to retrieve the flavor's extra specs."))
        return image_fit.refusals(props, {"name": flavor.name, "ram": flavor.ram}, specs)


class SetFlavor(workflows.Step):
    action_class = SetFlavorAction
    contributes = ("flavor", "flavor_vcpus", "flavor_ram", "boot_volume_gib")


# -- Networks ------------------------------------------------------------------


def has_network_service(request):
    return api.base.is_service_enabled(request, "network")


class SetNetworksAction(ServerValidatedAction):
    networks = forms.MultipleChoiceField(
        label=_("Networks"),
        widget=forms.ThemableCheckboxSelectMultiple(),
        error_messages={"required": _("Choose at least one network.")},
    )

    class Meta:
        name = _("Networks")
        slug = "set_networks"
        help_text = _("The project's own networks and the shared networks.")

    def populate_networks_choices(self, request, context):
        """The project's own networks and the shared ones, as Horizon lists them."""
        networks = _choices_or_error(
            request,
            lambda: api.neutron.network_list_for_tenant(request, request.user.project_id),
            _("Unable to retrieve networks."),
        )
        return sorted(((n.id, n.name_or_id) for n in networks), key=lambda c: c[1])


class SetNetworks(workflows.Step):
    action_class = SetNetworksAction
    contributes = ("networks",)

    def allowed(self, request):
        return has_network_service(request)

    def contribute(self, data, context):
        context["networks"] = list(data.get("networks") or []) if data else []
        return context


# -- Access --------------------------------------------------------------------


class SetAccessAction(ServerValidatedAction):
    key_name = forms.ThemableChoiceField(label=_("Key Pair"), required=False)
    security_groups = forms.MultipleChoiceField(
        label=_("Security Groups"),
        required=False,
        widget=forms.ThemableCheckboxSelectMultiple(),
    )

    class Meta:
        name = _("Access")
        slug = "set_access"

    def populate_key_name_choices(self, request, context):
        keypairs = instance_utils.keypair_field_data(request)  # reports its own errors
        return [("", _("No key pair"))] + sorted(keypairs)

    def populate_security_groups_choices(self, request, context):
        if not has_network_service(request):
            return []
        groups = _choices_or_error(
            request,
            lambda: api.neutron.security_group_list(request),
            _("Unable to retrieve security groups."),
        )
        return sorted((g.id, g.name) for g in groups)


class SetAccess(workflows.Step):
    action_class = SetAccessAction
    contributes = ("key_name", "security_groups")


# -- User data -----------------------------------------------------------------


class SetUserDataAction(ServerValidatedAction):
    user_data = forms.CharField(
        label=_("User Data"),
        required=False,
        strip=False,
        max_length=USER_DATA_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        # format_lazy: "%" would translate once, at import, in the default language.
        help_text=format_lazy(
            _("Optional cloud-init user data (up to {} characters)."), USER_DATA_MAX
        ),
    )

    class Meta:
        name = _("User Data")
        slug = "set_user_data"


class SetUserData(workflows.Step):
    action_class = SetUserDataAction
    contributes = ("user_data",)


# -- the workflow ----------------------------------------------------------------


class LaunchFromImage(workflows.Workflow):
    slug = "launch_from_lightbits_image"
    name = _("Launch from Lightbits image")
    finalize_button_name = _("Launch")
    success_message = _('Launch of "%s" started: follow it under Launches.')
    failure_message = _('Unable to launch "%s".')
    success_url = "horizon:project:lightbits_images:launches"
    default_steps = (SetDetails, SetSource, SetFlavor, SetNetworks, SetAccess, SetUserData)

    def format_status_message(self, message):
        return message % self.context.get("name", "")

    def plan(self, context):
        spec = record.ServerSpec(
            flavor=context["flavor"],
            networks=tuple(context.get("networks") or ()),
            key_name=context.get("key_name") or None,
            security_groups=tuple(context.get("security_groups") or ()),
            availability_zone=context.get("availability_zone") or None,
            delete_on_terminate=bool(context.get("delete_on_terminate")),
            user_data=context.get("user_data") or None,
        )
        return orchestrator.LaunchPlan(
            name=context["name"],
            count=int(context["count"]),
            image_id=context["image_id"],
            volume_size=int(context["boot_volume_gib"]),
            volume_type=context["volume_type"],
            spec=spec,
            vcpus=int(context.get("flavor_vcpus") or 0),
            ram_mb=int(context.get("flavor_ram") or 0),
            launch_id=driver.new_launch_id(),
            expected=context.get("clone_expected") or "",
            require_clone=bool(context.get("require_clone")),
        )

    def validate(self, context):
        """Quotas for the whole count, before anything is created."""
        plan = self.plan(context)
        try:
            driver.make_launcher(self.request, plan.launch_id).check_quotas(plan)
        except orchestrator.QuotaRefused as refused:
            self.add_error_to_step(
                "; ".join(texts.render(m) for m in refused.messages), "set_details"
            )
            return False
        except Exception:
            exceptions.handle(self.request, _("Unable to check quotas."))
            self.add_error_to_step(_("Unable to check quotas."), "set_details")
            return False
        down = data.backends_down(self.request, [plan.volume_type])
        if down:
            self.add_error_to_step(backend_down_text(down), "set_source")
            return False
        self._plan = plan
        return True

    def add_error_to_step(self, message, slug):
        """Horizon adds the error but neither marks the step nor opens it
        (has_errors is set only by a step's own validation): do both, so an
        error on a step not shown is seen."""
        super().add_error_to_step(message, slug)
        step = self.get_step(slug)
        if step:
            step.has_errors = True

    @sensitive_variables("context")
    def handle(self, request, context):
        plan = getattr(self, "_plan", None) or self.plan(context)
        driver.start_launch(request, plan)
        return True
