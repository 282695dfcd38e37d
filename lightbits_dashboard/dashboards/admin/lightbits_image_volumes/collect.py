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

"""The panel's data: bulk listings, then inventory.build.

Calls per build of the whole-cloud inventory (cached.py keeps it; page views
do not call this): images (paged listings of visible and hidden images),
volumes of all projects (paged by Cinder, 1,000 per call), volume types
(with extra specs), Glance stores detail, projects, and per Lightbits
cluster its info, nodes and volume list (cached briefly). A list that cannot
be read gives an error message, is named in the inventory's ``failed``
lists, and the rest still builds.
"""

import datetime
import time

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from glanceclient import exc as glance_exc
from horizon import exceptions, messages
from openstack_dashboard import api
from openstack_dashboard.api import glance as horizon_glance

from lightbits_dashboard import conf, inventory, model
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.api import lightbits as lb_api
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import texts


def _fetch(request, message, call, *args, **kwargs):
    """(result, ok): the call's result, or ([], False) after telling the user."""
    try:
        return call(request, *args, **kwargs), True
    except Exception:
        exceptions.handle(request, message)
        return [], False


def cluster_states(request, refresh=False, errors=None):
    """Backend -> cluster state, or the error text when it did not answer.

    errors: filled with backend -> {"error", "tried_at"} of those that did not.
    """
    states = {}
    for backend in sorted(lb_api.backends()):
        try:
            states[backend] = lb_api.cluster_state(request, backend, refresh=refresh)
        except lb_api.LightbitsError as exc:
            # The exception text is built without the token (see api.lightbits).
            states[backend] = str(exc)
            if errors is not None:
                errors[backend] = {"error": str(exc), "tried_at": exc.tried_at}
            cluster_warning(request, backend, str(exc), exc.tried_at)
    return states


def cluster_warning(request, backend, error, tried_at):
    messages.warning(
        request,
        _(
            "Lightbits cluster %(backend)s did not answer; its columns show "
            "'unknown'. %(error)s %(tried)s"
        )
        % {"backend": backend, "error": error, "tried": last_tried(tried_at)},
    )


def last_tried(tried_at):
    """'Last tried at 12:00:01 (4 s ago).' for a remembered failure, else ''."""
    if not tried_at:
        return ""
    when = timezone.localtime(datetime.datetime.fromtimestamp(tried_at, datetime.UTC))
    return _("Last tried at %(time)s (%(ago)d s ago); the next try is %(cache)d s after that.") % {
        "time": formats.time_format(when, "H:i:s"),
        "ago": max(0, time.time() - tried_at),
        "cache": conf.get("CLUSTER_CACHE_SECONDS"),
    }


def lightbits_stores(stores, volume_types):
    """Lightbits-backed Glance store ids that exist in Glance."""
    existing = {s.get("id") for s in stores}
    ids = inventory.lightbits_store_ids(
        stores, volume_types, set(lb_api.backends()), conf.get("STORE_VOLUME_TYPES")
    )
    return [s for s in ids if s in existing]


def _lists():
    """(name, error message, call, keyword arguments) of each bulk list."""
    return (
        ("images", _("Unable to retrieve images."), image_list_all, {}),
        (
            "volumes",
            _("Unable to retrieve volumes."),
            lb_cinder.volume_list_raw,
            {"search_opts": {"all_tenants": True}},
        ),
        ("volume_types", _("Unable to retrieve volume types."), api.cinder.volume_type_list, {}),
        ("stores", _("Unable to retrieve Glance stores."), lb_glance.store_list_detail, {}),
        ("projects", _("Unable to retrieve projects."), _project_names, {}),
    )


def collect(request, refresh=False):
    """(Inventory, {project id: name}, failed): failed is {"lists": names of
    the lists not read, "clusters": backend -> {"error", "tried_at"}}.

    refresh: read the Lightbits clusters again (not their cached lists)."""
    lists, failed = {}, []
    for name, message, call, kwargs in _lists():
        lists[name], ok = _fetch(request, message, call, **kwargs)
        if not ok:
            failed.append(name)
    lists["projects"] = dict(lists["projects"] or {})
    cluster_errors = {}
    result = _build(
        request,
        lists,
        images_known="images" not in failed,
        volumes_known="volumes" not in failed,
        refresh=refresh,
        cluster_errors=cluster_errors,
    )
    return result, lists["projects"], {"lists": failed, "clusters": cluster_errors}


def _build(request, lists, refresh=False, cluster_errors=None, **known):
    """inventory.build over ``lists`` (images, volumes, volume_types, stores, projects)."""
    projects = lists["projects"]
    return inventory.build(
        _unwrapped(lists["images"]),
        _unwrapped(lists["volumes"]),
        lists["volume_types"],
        lists["stores"],
        cluster_states(request, refresh=refresh, errors=cluster_errors),
        lightbits_stores=conf.get("STORE_VOLUME_TYPES"),
        service_projects=project_ids(conf.get("SERVICE_PROJECTS"), projects),
        internal_projects=project_ids(conf.get("INTERNAL_PROJECTS"), projects),
        project_names=projects,
        **known,
    )


def project_ids(configured, projects):
    """Configured project ids or names -> ids (names resolved via projects)."""
    by_name = {name: pid for pid, name in projects.items()}
    return {by_name.get(p, p) for p in configured or ()}


def image_row(request, row_id):
    """One images-table row rebuilt from fresh data, for the AJAX row update
    that shows a copy's progress (a constant few calls, cluster lists from
    the cache). Only this image's image-<id> volumes are read, so findings
    that need the whole volume list are left out of the rebuilt row."""
    image_id = row_id.split(":", 1)[0]
    image = api.glance.image_get(request, image_id)
    volumes = api.cinder.volume_list(
        request, search_opts={"all_tenants": True, "name": model.image_volume_name(image_id)}
    )
    lists = {
        "images": [image],
        "volumes": volumes,
        "volume_types": api.cinder.volume_type_list(request),
        "stores": lb_glance.store_list_detail(request),
        "projects": _project_names(request),
    }
    result = _build(request, lists, images_known=False, volumes_known=False)
    rows = result.image_rows
    return next((r for r in rows if r.id == row_id), rows[0])


def image_list_all(request):
    """Every image the admin can list, hidden ones included, as Glance's own
    JSON dicts, 1,000 per call (Glance's api_limit_max).

    Read through glanceclient's HTTP layer (Horizon's endpoint, token and TLS
    settings), not its image models: a model costs a deepcopy and a schema
    check per image, the largest part of listing 10,000 images, and the
    inventory reads plain fields only (model.field).
    """
    http = horizon_glance.glanceclient(request).http_client
    seen = {}
    # Glance leaves os_hidden images out of a plain listing; a second one asks for them.
    for url in ("/v2/images?limit=1000", "/v2/images?limit=1000&os_hidden=true"):
        while url:
            _resp, body = http.get(url)
            for image in body.get("images") or []:
                seen[image["id"]] = image
            url = body.get("next")
    return list(seen.values())


def _unwrapped(resources):
    """The client objects behind Horizon's API wrappers.

    Horizon's wrappers resolve every attribute through an exception-driven
    __getattribute__; reading tens of thousands of fields through them costs
    more than the rest of the page. The inventory reads plain fields only.
    """
    return [getattr(r, "_apiresource", r) for r in resources]


def _project_names(request):
    projects, _more = api.keystone.tenant_list(request)
    return {p.id: p.name for p in projects}


# -- server-side re-checks before an action ----------------------------------


def orphan_refusal(request, volume):
    """Why this volume must not be deleted as an orphan, or None.

    Checked again at POST time against fresh data: the volume must be an
    image volume or upload-to-image clone, detached, its image must be gone
    (404 from Glance, not merely an error), and no image location may point
    at it.
    """
    kind = inventory.image_volume_kind(volume, conf.get("INTERNAL_PROJECTS"))
    if kind not in (inventory.KIND_IMAGE_VOLUME, inventory.KIND_UPLOAD_CLONE):
        return _("It is not a Glance image volume (it is: %s).") % (
            texts.kind_label(kind) if kind else _("a plain volume")
        )
    if getattr(volume, "attachments", None):
        return _("It is attached.")
    if not inventory.orphan_deletable(volume):
        return _("It is %s: Cinder deletes only available or failed volumes.") % volume.status
    image_id = model.image_id_of(volume)
    try:
        api.glance.image_get(request, image_id)
    except glance_exc.HTTPNotFound:
        pass
    except Exception:
        return _("Glance could not confirm that image %s is gone.") % image_id
    else:
        return _("Image %s still exists: this volume backs it.") % image_id
    for image in lb_glance.image_list_all(request):
        if any(vid == volume.id for _s, vid in model.cinder_locations(image)):
            return _("Image %s has a location pointing at it.") % image.id
    return None


def read_only_refusal(volume):
    """Why the read-only flag cannot be set now, or None."""
    if inventory.image_volume_kind(volume, conf.get("INTERNAL_PROJECTS")) is None:
        return _("It is not an image volume.")
    if volume.status != "available":
        return _("Its status is %s; Cinder changes the flag only when available.") % volume.status
    if inventory.is_read_only(volume):
        return _("It is already read-only.")
    return None
