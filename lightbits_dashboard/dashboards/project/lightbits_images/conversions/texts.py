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

"""What the convert codes of ``lightbits_dashboard.convert`` say (translated)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lightbits_dashboard.convert import engine, lock, preflight, record
from lightbits_dashboard.dashboards.project.lightbits_images import jobs

PROBLEMS = {
    preflight.NOT_ACTIVE: _("The image is not active (status %(status)s)."),
    preflight.SIZE_UNKNOWN: _("Glance knows neither the image's size nor its virtual size."),
    preflight.NOT_OWNER: _(
        "The image belongs to another project (%(owner)s): only its owner can convert it."
    ),
    preflight.NOT_ON_LIGHTBITS: _(
        "The image is not on Lightbits: this panel converts Lightbits images only (an "
        "admin can convert it onto Lightbits from Admin > Lightbits Image Volumes)."
    ),
    preflight.FORMAT: _(
        "Cinder cannot convert a %(disk_format)s/%(container_format)s image into a raw volume."
    ),
    preflight.ALREADY_FAST: _("The image is already raw on Lightbits: it fast-clones."),
    preflight.ALREADY_CONVERTED: _(
        "The image was already converted: its fast-clonable copy is image %(image_id)s."
    ),
    preflight.ALREADY_CONVERTED_HIDDEN: _(
        "The image was already converted, into an image this project cannot see (another "
        "project's copy). Ask its owner or an admin to share it; if that copy was deleted, "
        "remove this image's lightbits_converted_to property to convert it again."
    ),
    preflight.IN_PROGRESS: _(
        "A conversion of this image is already running or interrupted in this project (its "
        "temporary volume exists): finish or clean it up on the Conversions page first."
    ),
    preflight.NO_TYPE: _(
        "No Cinder volume type %(type)s for the Lightbits store %(store)s "
        "(STORE_VOLUME_TYPES): the temporary volume needs the store's volume type."
    ),
    preflight.TYPE_STORE_ID: _(
        "The volume type %(type)s carries image_service:store_id=%(store)s: with it Cinder "
        "uploads through Glance instead of cloning (recent Glance refuses the store id). "
        "An admin should remove that extra spec; Glance finds the store from the type."
    ),
    preflight.QUOTA: _(
        "Quota exceeded for %(name)s: the temporary volume and its clone need %(needs)s, "
        "%(used)s of %(limit)s in use (%(available)s available)."
    ),
    preflight.IMAGE_QUOTA: _(
        "Glance quota exceeded for %(name)s: the new image needs %(needs)s, "
        "%(used)s of %(limit)s in use (%(available)s available)."
    ),
    preflight.VISIBILITY: _(
        "The image is %(visibility)s: Cinder lets only admins upload a %(visibility)s image."
    ),
}

# preflight.BEING_CONVERTED, by who holds the image's lock (convert.lock)
BEING_CONVERTED = {
    lock.BY_YOU: _(
        "The image is being converted by you (in project %(project)s): one conversion of an "
        "image runs at a time; its row is on that project's Conversions page."
    ),
    lock.BY_PROJECT: _(
        "The image is being converted by another user of this project: one conversion of an "
        "image runs at a time; its row is on the Conversions page."
    ),
    lock.BY_OTHER_PROJECT: _(
        "The image is being converted by a user of another project: one conversion of an "
        "image runs at a time; once it is done the image is converted."
    ),
    lock.BY_USER: _(
        "The image is being converted by %(user)s in project %(project)s: one conversion of "
        "an image runs at a time."
    ),
}

FAILURES = {
    engine.CREATE_REFUSED: _("Cinder refused the temporary volume: %(reason)s"),
    engine.VOLUME_ERROR: _("The temporary volume went to error: %(reason)s"),
    engine.VOLUME_GONE: _("The temporary volume disappeared."),
    engine.VOLUME_STATUS: _("The temporary volume is %(reason)s."),
    engine.TIMEOUT: _("Not done after %(reason)s s."),
    engine.UPLOAD_REFUSED: _("Cinder refused the upload to an image: %(reason)s"),
    engine.IMAGE_FAILED: _("Glance left the new image %(reason)s."),
    engine.IMAGE_GONE: _("The new image disappeared."),
    engine.NOT_ON_LIGHTBITS: _(
        "The new image landed in store %(reason)s, not on Lightbits (Cinder uploaded it "
        "through Glance into another store)."
    ),
    engine.METADATA_REFUSED: _("Glance refused carrying the metadata over: %(reason)s"),
    engine.UNEXPECTED: _("Unexpected error: %(reason)s"),
}

FINISH_REFUSALS = {
    engine.FINISH_NOT_INTERRUPTED: _("Only an interrupted conversion can be finished."),
    engine.FINISH_VOLUME_GONE: _(
        "The temporary volume is gone: nothing to finish from; clean up and convert again."
    ),
    engine.FINISH_VOLUME_FAILED: _(
        "The temporary volume is %(reason)s: it cannot be uploaded; clean up and convert again."
    ),
    engine.FINISH_UPLOAD_UNKNOWN: _(
        "It stopped while Cinder uploaded the volume: which image is the new one cannot be "
        "told for sure; clean up and convert again."
    ),
}


def finish_refusal(code, reason):
    return FINISH_REFUSALS[code] % {"reason": reason}


WARNINGS = {
    engine.THROUGH_GLANCE: _(
        "Cinder uploaded the bytes through Glance instead of cloning (check the Lightbits "
        "backend's image_upload_use_cinder_backend and the internal tenant); the new image "
        "is raw on Lightbits all the same."
    ),
    engine.NOT_HASHED: _(
        "Glance has not finished reading the new image volume (its hash): until it has, "
        "Cinder copies instead of cloning boot volumes from the new image."
    ),
}

STAGE_CHOICES, STAGES = jobs.state_choices(
    (
        (record.COPYING, pgettext_lazy("Conversion stage", "Copying")),
        (record.CONVERTING, pgettext_lazy("Conversion stage", "Converting")),
        (record.REGISTERING, pgettext_lazy("Conversion stage", "Registering")),
    ),
    record,
)
STAGE_NAMES = dict(STAGES)

ROUTES = {
    record.ROUTE_CLONE: _("Cinder's clone (no bytes through Glance)"),
    record.ROUTE_GLANCE: _("Uploaded through Glance"),
    record.ROUTE_UNKNOWN: _("Unknown (the image volume is not visible to this project)"),
}

INTERRUPTED = _(
    "The conversion stopped before it was done (Horizon restarted?). Finish resumes it "
    "from its recorded stage where that is safe (and says why when it is not); Clean Up "
    "deletes the temporary volume and any half-made image instead, the source image "
    "stays, and the image can then be converted again."
)


NOTES = {
    preflight.IMAGE_QUOTA_UNCHECKED: _(
        "The new image's Glance quota cannot be checked (Glance shows no limits: it does "
        "not use Keystone unified limits); Glance itself refuses the upload if it is over."
    ),
}


def problem_text(problem):
    if problem.code == preflight.BEING_CONVERTED:
        return BEING_CONVERTED[problem.params["who"]] % problem.params
    return PROBLEMS[problem.code] % problem.params


def failure_text(rec):
    """ "Failed while <stage>: <why>" for a failed record."""
    why = FAILURES.get(rec.error, FAILURES[engine.UNEXPECTED]) % {"reason": rec.reason}
    stage = STAGE_NAMES.get(rec.failed_stage, rec.failed_stage)
    return _("Failed while %(stage)s: %(why)s") % {"stage": stage, "why": why}
