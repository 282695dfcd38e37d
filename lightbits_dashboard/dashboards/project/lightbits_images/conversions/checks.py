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

"""The "Make fast-clonable" preflight: the source image's facts and every
problem converting it as this user would meet, before anything is created."""

import logging

from openstack_dashboard import api, policy
from openstack_dashboard.exceptions import NOT_FOUND

from lightbits_dashboard import model
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.convert import preflight, record
from lightbits_dashboard.dashboards.project.lightbits_images import data
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import lock

LOG = logging.getLogger(__name__)
UPLOAD_PUBLIC_POLICY = (("volume", "volume_extension:volume_actions:upload_public"),)


def source(request, image_id):
    """The preflight's Source: one image get (+ one member list when shared)."""
    image = api.glance.image_get(request, image_id)
    members = ()
    if image.visibility == "shared":
        found = api.glance.glanceclient(request).image_members.list(image_id)
        members = tuple(m["member_id"] for m in found)
    store = model.lightbits_store(image, data.store_volume_types())
    return preflight.source_from(image, members, store)


def store_volume_type(store):
    types = data.store_volume_types().get(store or "", [])
    if not store:  # not on Lightbits yet: the first configured store
        types = next(iter(data.store_volume_types().values()), [])
    return types[0] if types else None


def target_store(src):
    return src.store or next(iter(data.store_volume_types()), None)


def _exists(request, image_id):
    try:
        api.glance.image_get(request, image_id)
    except Exception as exc:
        if isinstance(exc, NOT_FOUND):
            return False
        raise
    return True


def _copy_state(request, src):
    """(existing ids, hidden): the copy the source names, if this user sees it.

    Glance answers 404 both for a deleted image and for another project's
    private one; an admin sees every image, so for an admin it is gone."""
    if not src.converted_to:
        return (), False
    if _exists(request, src.converted_to):
        return {src.converted_to}, False
    return (), not getattr(request.user, "is_superuser", False)


def _converting(request, src):
    name = record.temporary_volume_name(src.id)
    volumes = api.cinder.volume_list(request, search_opts={"name": name})
    return {src.id} if any(v.name == name for v in volumes) else set()


def image_usage(request):
    """Glance's unified-limit usage of the user's project (GET /v2/info/usage,
    image API 2.14), or None when Glance cannot say: {} without
    ``use_keystone_limits``, an error from an older Glance."""
    try:
        return lb_glance.usage(request) or None
    except Exception:
        LOG.info("Glance usage unavailable: the new image's quota is not checked.")
        return None


def check(request, src, any_image=False, notes=None):
    """The preflight Problems for converting ``src`` as this user.

    notes: a list that gets preflight.IMAGE_QUOTA_UNCHECKED when Glance's
    quota for the new image cannot be checked."""
    usage_of_images = image_usage(request)
    if notes is not None and not preflight.image_quota_checked(usage_of_images):
        notes.append(preflight.IMAGE_QUOTA_UNCHECKED)
    volume_type = store_volume_type(src.store)
    types = {t.name: getattr(t, "extra_specs", None) for t in api.cinder.volume_type_list(request)}
    existing, copy_hidden = _copy_state(request, src)
    return preflight.check(
        src,
        project_id=request.user.project_id,
        volume_type=volume_type,
        types=types,
        usage=lb_cinder.quota_usage(request),
        existing_image_ids=existing,
        converting_image_ids=_converting(request, src),
        converting_by=lock.converting_by(request, src),
        copy_hidden=copy_hidden,
        can_publicize=policy.check(UPLOAD_PUBLIC_POLICY, request),
        any_image=any_image,
        image_usage=usage_of_images,
    )
