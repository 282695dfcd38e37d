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

"""Glance calls Horizon's openstack_dashboard.api.glance lacks.

Multi-store discovery (`/v2/info/stores[/detail]`), copy-image import, and a
listing of every image (Horizon's image_list_detailed stops at
API_RESULT_LIMIT). All go through Horizon's own glanceclient(request), so
endpoint, token and TLS settings are Horizon's.
"""

from openstack_dashboard.api import glance as horizon_glance

PAGE_SIZE = 1000


def _body(result):
    """glanceclient wraps (body, resp) discovery answers in a proxy of body."""
    if isinstance(result, tuple):
        return result[0]
    return result


def store_list_detail(request):
    """Admin: stores with "type" and "properties" (cinder: volume_type)."""
    body = _body(horizon_glance.glanceclient(request).images.get_stores_info_detail())
    return list(body.get("stores", []))


def image_list_all(request, page_size=PAGE_SIZE):
    """Every image the caller can list, all pages, hidden ones included.

    Glance leaves os_hidden images out of a plain listing; an admin view that
    decides whether a volume still backs an image must see them too, so a
    second listing asks for them. Returns Horizon Image wrappers.
    """
    images = horizon_glance.glanceclient(request).images
    seen = {}
    for hidden in (False, True):
        filters = {"os_hidden": "true"} if hidden else {}
        for image in images.list(page_size=page_size, filters=filters):
            seen[image.id] = horizon_glance.Image(image)
    return list(seen.values())


def image_copy_to_stores(request, image_id, stores):
    """Glance copy-image import into `stores`; 202, progress on the image.

    Progress: image properties os_glance_importing_to_stores (pending) and
    os_glance_failed_import (failed), both comma-separated store ids.
    """
    return horizon_glance.glanceclient(request).images.image_import(
        image_id, method="copy-image", stores=list(stores), allow_failure=True
    )


def usage(request):
    """Glance's unified-limit usage of the caller's project (GET
    /v2/info/usage, image API 2.14): {resource: {"limit", "usage"}}, sizes in
    MiB; {} when Glance does not use Keystone limits (use_keystone_limits)."""
    return dict(_body(horizon_glance.glanceclient(request).info.get_usage()) or {})
