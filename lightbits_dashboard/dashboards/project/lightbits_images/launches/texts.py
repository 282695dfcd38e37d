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

"""What the Launches page says about how each boot volume was made.

The launch engine records codes (``launch.clone_check``); the texts live
here, translated.
"""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lightbits_dashboard.launch import clone_check

REASONS = {
    clone_check.REASON_DIRECT_URL: _(
        "Cinder's allowed_direct_url_schemes does not list cinder (the clone path "
        "is never tried; no API shows this setting)"
    ),
    clone_check.REASON_HOST_POOL: _(
        "the boot volume was scheduled to another cinder-volume host or pool than the "
        "image volume (several services for one cluster without a shared backend_host "
        "or cluster)"
    ),
    clone_check.REASON_LIGHTOS_PROJECT: _(
        "the volume type's lightos:project_name differs from the image volume's"
    ),
    clone_check.REASON_DRIVER: _(
        "the LightOS driver's clone failed and Cinder fell back silently (its log says "
        "why at debug level)"
    ),
}


def made_text(made):
    """ "Cloned (3.2 s)", "Copied (8.1 s)", "Copied" ...; "" while not known."""
    if made.kind == clone_check.CLONE:
        label = _("Cloned")
    elif made.kind == clone_check.COPY:
        label = _("Copied")
    else:
        return ""
    if made.seconds is None:
        return label
    return _("%(made)s (%(seconds)s s)") % {"made": label, "seconds": f"{made.seconds:g}"}


def made_cell(made):
    """The Launches table cell, one line: the text; an unexpected copy marked
    as a warning, its likely reasons on hover."""
    text = made_text(made)
    if not made.unexpected_copy:
        return text
    reasons = "; ".join(str(REASONS[r]) for r in made.reasons)
    return format_html(
        '<span class="text-warning" title="{} {}">{} <span class="fa fa-exclamation-triangle">'
        "</span></span>",
        UNEXPECTED_COPY,
        reasons,
        text,
    )


UNEXPECTED_COPY = _("Warning: the clone path said Fast clone for this image. Likely reasons:")
