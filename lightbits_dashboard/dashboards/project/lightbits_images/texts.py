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

"""The texts of the logic's message codes, in the user's language.

The logic modules (clone_path, launch/*) say what happened as a ``Message``
(a code and its parameters); this panel shows it through ``render``. Every
text is a gettext_lazy msgid, so it is in the message catalog; parameters
are data (names, ids, numbers, the clouds' own words) or nested Messages.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lightbits_dashboard.message import Message

VERDICTS = {
    "fast_clone": pgettext_lazy("Clone path", "Fast clone"),
    "fast_clone_cache": pgettext_lazy("Clone path", "Fast clone (from cache)"),
    "copy": pgettext_lazy("Clone path", "Copy"),
    "unavailable": pgettext_lazy("Clone path", "Unavailable now"),
}

# The images table's Clone Path: a short status, the reasons on hover; what
# holds for every row of a member's view is said once, in the column's help.
COPY_FORMAT = pgettext_lazy("Clone path", "Copy: %(format)s")
CLONE_PATH_HELP = _(
    "How Cinder makes a boot volume from the image: a fast clone of its image volume, "
    "or a copy of the image (point at a row for why; the image's page says it in "
    "full). A project member's view cannot check every rule: whether the Lightbits "
    "volume type is encrypted and, for another project's image, whether its image "
    "volume records that owner. Fast clone then means that every rule this view can "
    "check holds."
)

NO_BACKEND_HINT = _(
    "for a Lightbits backend this usually means its cinder-volume service is down, "
    "its driver cannot reach the Lightbits cluster, or the volume type names no "
    "running backend"
)

TEXTS = {
    # launch/image_fit: the image's properties Nova checks against the flavor
    "flavor_ram_below_min_ram": _(
        "Flavor %(flavor)s has %(ram)s MB of RAM; this image needs at least "
        "%(min)s MB (its min_ram)."
    ),
    "image_config_drive_invalid": _(
        "The image's img_config_drive is %(value)s; Nova accepts only optional or mandatory."
    ),
    "image_serial_ports_exceed": _(
        "The image asks for %(image)s serial ports (hw_serial_port_count); the flavor "
        "allows at most %(flavor)s (hw:serial_port_count)."
    ),
    "image_cpu_max_exceeds": _(
        "The image's hw_cpu_max_%(part)s (%(image)s) is above the flavor's "
        "hw:cpu_max_%(part)s (%(flavor)s)."
    ),
    "image_cpu_exceeds_max": _(
        "The image's hw_cpu_%(part)s (%(image)s) is above the maximum of %(limit)s "
        "set by the image or the flavor."
    ),
    "image_page_size_forbidden": _(
        "The image asks for memory page size %(image)s (hw_mem_page_size); the flavor "
        "allows it only with hw:mem_page_size any or large (it has '%(flavor)s')."
    ),
    # clone_path
    "image_not_active": _("image is not active (status %(status)s)"),
    "not_raw_bare": _("image is %(disk)s/%(container)s, not raw/bare"),
    "no_type_configured": _("no Lightbits volume type is configured for store %(store)s"),
    "no_type_exists": _(
        "no Lightbits volume type for store %(store)s exists in this cloud (%(types)s)"
    ),
    "encryption_unknown": _("cannot check from this project's view whether the type is encrypted"),
    "type_encrypted": _("the Lightbits volume type is encrypted"),
    "owner_unknown": _(
        "image owned by another project: cannot check from this project's view "
        "whether its image volume records that owner"
    ),
    "other_owner": _("image owned by another project"),
    "cache_entry_stale": _(
        "Cinder's image-volume cache holds an entry for it, but the image changed after "
        "the entry was made: Cinder drops the entry and copies"
    ),
    "cache_not_visible": _(
        "Cinder's image-volume cache may serve it as a clone from the second boot volume "
        "on each backend host, but its entries live in Cinder's internal tenant, which "
        "this project cannot see"
    ),
    # launch/backend
    "service_down": _(
        "Cinder's volume service %(host)s for backend %(backend)s is %(state)s/%(status)s"
    ),
    "no_pool": _(
        "Cinder's scheduler has no pool for backend %(backend)s: its volume driver is not "
        "running or did not initialize (is the Lightbits cluster reachable?)"
    ),
    "backend_down": _("Cinder reports backend %(backend)s down"),
    # the project panel's probe of a type's Lightbits cluster (data.clusters_down)
    "cluster_down": _("its Lightbits cluster does not answer (last answered at %(time)s UTC)"),
    "cluster_down_no_answer_seen": _(
        "its Lightbits cluster does not answer (no answer since %(time)s UTC)"
    ),
    "type_down_stopped": _(
        "Volume type %(type)s cannot take new volumes: %(reason)s. The launch stopped "
        "instead of waiting for the clone."
    ),
    # launch/quota
    "quota_exceeded": _(
        "Quota exceeded for %(name)s: this launch needs %(needs)s, %(used)s of %(limit)s "
        "in use (%(available)s available)"
    ),
    # launch/progress
    "interrupted": _(
        "The launch stopped before this instance was ready (Horizon restarted?): "
        "finish the launch or clean up."
    ),
    "volume_in_error": _("Cinder reported the boot volume in error"),
    # launch/orchestrator
    "volume_refused": _("Cinder refused the boot volume: %(error)s"),
    "unexpected_error": _("unexpected error: %(error)s"),
    "volume_gone": _("boot volume %(volume)s disappeared"),
    "copy_refused": _(
        "Stopped: Cinder started copying the image instead of cloning it (the boot volume "
        'passed through "downloading") and the launch required a fast clone. The boot '
        "volume was deleted."
    ),
    "volume_error_no_reason": _("boot volume %(volume)s went to error: Cinder gave no reason"),
    "volume_status": _("boot volume %(volume)s is %(status)s"),
    "volume_timeout": _("boot volume %(volume)s not available after %(timeout)s s"),
    "server_refused": _("Nova refused the server: %(error)s"),
    "server_gone": _("the server disappeared"),
    "server_timeout": _("the server was not ACTIVE after %(timeout)s s"),
    "instance_failed": _("%(server)s failed: %(error)s"),
    "launched_one": _("%(server)s launched"),
    "launched_all": _("%(launched)s of %(total)s launched"),
    "launched_some": _("%(launched)s of %(total)s launched; %(failed)s"),
    "clean_up_left": _("Clean up left: %(parts)s"),
    "server_not_deleted": _("the server %(server)s was not deleted within %(timeout)s s"),
    "volume_left": _("the boot volume is %(status)s"),
    "volume_left_unheld": _(
        "the boot volume is %(status)s and no server of this launch holds it "
        "(an admin can reset its state)"
    ),
}


def _volume_error(params):
    text = _("boot volume %(volume)s went to error: %(error)s") % params
    if params.get("no_backend"):
        return format_lazy("{} ({})", text, NO_BACKEND_HINT)
    return text


def _server_error(params):
    """Nova's fault message is the cloud's own text; without one, ours."""
    return params.get("fault") or _("Nova reported the server in ERROR")


def _server_failed(params):
    fault = params.get("fault") or _("Nova gave no reason")
    return _("the server went to ERROR: %(reason)s") % {"reason": fault}


BUILT = {
    "volume_error": _volume_error,
    "server_error": _server_error,
    "server_failed": _server_failed,
    # a message an earlier version stored in English: shown as it was written
    "legacy_text": lambda params: params.get("text", ""),
}


def _param(value):
    if isinstance(value, Message):
        return render(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(_param(v)) for v in value)
    return value


def render(message):
    """``message`` (a Message, an older plain text, or None) as text."""
    if message is None:
        return ""
    if not isinstance(message, Message):
        return str(message)
    params = {k: _param(v) for k, v in message.params.items()}
    if message.code in BUILT:
        return str(BUILT[message.code](params))
    template = TEXTS.get(message.code)
    if template is None:  # a code from a newer version: say what it is
        return message.code
    return str(template) % params if params else str(template)


def render_all(messages):
    """Several messages (or texts) as one text, "; " between them."""
    return "; ".join(str(render(m)) for m in messages or ())


def verdict(code):
    return VERDICTS.get(code, code)


# A converted image's sizes: Glance counts the whole image volume as its size
# and leaves virtual_size unset; the conversion carried the source's over.
CONVERTED_SIZE_NOTE = _("the whole image volume: the raw copy fills it")
CONVERTED_VIRTUAL_SIZE_NOTE = _(
    "the source image's (Glance does not set it for an image uploaded from a volume)"
)
