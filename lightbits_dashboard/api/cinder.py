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

"""Cinder calls Horizon's openstack_dashboard.api.cinder lacks."""

from openstack_dashboard.api import cinder as horizon_cinder

MESSAGES_MICROVERSION = "3.3"


def quota_usage(request):
    """Quota name -> (limit, in use) for the project, per-volume-type keys included.

    One call (``GET os-quota-sets/<project>?usage=True``); Horizon's quota
    helpers drop the ``volumes_<type>``/``gigabytes_<type>`` entries.
    """
    quota_set = horizon_cinder.cinderclient(request).quotas.get(
        request.user.project_id, usage=True
    )
    usage = {}
    for name, value in quota_set.to_dict().items():
        if isinstance(value, dict) and "limit" in value:
            used = int(value.get("in_use", 0)) + int(value.get("reserved", 0))
            usage[name] = (value["limit"], used)
    return usage


def volume_from_image(request, name, size, volume_type, image_id, metadata):
    """A new volume made from the image (Horizon's volume_create): its id."""
    volume = horizon_cinder.volume_create(
        request, size, name, "", volume_type, metadata=metadata, image_id=image_id
    )
    return volume.id


def volume_list_raw(request, search_opts=None):
    """cinderclient's volume list, every page (it follows Cinder's next
    links). For callers that read raw fields only: not Horizon's wrapper,
    which adds a volume transfer list call, a version discovery and a
    wrapper object per volume."""
    return horizon_cinder.cinderclient(request).volumes.list(search_opts=search_opts)


def volume_get_raw(request, volume_id):
    """The volume as Cinder returns it (no per-attachment Nova calls), or None if gone."""
    try:
        return horizon_cinder.cinderclient(request).volumes.get(volume_id)
    except Exception as exc:
        if getattr(exc, "code", None) == 404:
            return None
        raise


def volume_error_message(request, volume_id):
    """Cinder's own user message for a failed volume (newest), or ""."""
    try:
        client = horizon_cinder.cinderclient(request, version=MESSAGES_MICROVERSION)
        found = client.messages.list(search_opts={"resource_uuid": volume_id})
    except Exception:
        return ""
    found = sorted(found, key=lambda m: getattr(m, "created_at", "") or "", reverse=True)
    return getattr(found[0], "user_message", "") if found else ""
