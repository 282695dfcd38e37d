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

"""The Lightbits images of the project, with their clone path, from bulk API lists.

A page calls: one Glance image list (one page, Glance's markers), one Cinder
volume type list, one Cinder volume list of the image volumes (one call per
1,000 of those, whatever the number of the project's other volumes) and,
for admins only, one volume type encryption list (shared by every admin for
CLOUD_FACTS_MAX_AGE, as is Cinder's backend verdict of backends_down on page
views) and, when Cinder's internal tenant is configured (INTERNAL_PROJECTS),
one such volume list of it (image-volume cache entries). The index view
reads Glance's page, backends_down and CloneFacts at the same time.

Project members list the image volumes of their project with Cinder's
metadata filter ``image_owner=<project>`` (model.owned_image_volumes), which
Cinder's default resource_filters.json allows to everyone: Glance's cinder
store and Cinder's upload clone record the project they create an image
volume in as its ``image_owner``, so no image volume a member can see is
missed (a volume named ``image-<id>`` without that metadata was made by
neither, and no clone rule reads it). Admins, who may sit in Glance's
service project (image volumes of every owner), use the like filter
``name~=image-`` (the raw list too), which Cinder accepts from admins always; a refused filter
(400) falls back to the whole list of the project's volumes, and the
refusal is remembered for LIKE_REFUSED_SECONDS.
"""

import hashlib
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from cinderclient import exceptions as cinder_exc
from django.http import Http404
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon.utils import memoized
from openstack_dashboard import api
from openstack_dashboard.exceptions import NOT_FOUND

from lightbits_dashboard import clone_path, conf, model, shared_cache
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import lightbits as lb_api
from lightbits_dashboard.launch import backend
from lightbits_dashboard.message import msg

LOG = logging.getLogger(__name__)
LIKE_REFUSED = "lightbits_dashboard:cinder-name-like-refused:"
LIKE_REFUSED_SECONDS = 600
ENCRYPTED_TYPES = "lightbits_dashboard:encrypted-volume-type-ids"
CINDER_DOWN = "lightbits_dashboard:cinder-backends-down:"


def volume_types(request):
    """Cinder's volume types, listed once per request (the clone facts and
    the backend check both need them, from two threads at once on a page)."""
    lock = request.__dict__.setdefault("_lightbits_types_lock", threading.Lock())
    with lock:
        if "_lightbits_volume_types" not in request.__dict__:
            request._lightbits_volume_types = api.cinder.volume_type_list(request)
    return request._lightbits_volume_types


def _is_admin(request):
    """Whether the user is a cloud admin (Horizon's ``is_superuser``)."""
    return getattr(request.user, "is_superuser", False)


def image_volume_candidates(request, search_opts=None):
    """The volumes (of ``search_opts``) that may be image volumes: those
    whose name contains ``image-`` (admins); for project members, the
    image volumes their project holds (``image_owner`` metadata, see the
    module's text). Every volume when Cinder refuses the like filter."""
    if not search_opts and not _is_admin(request):
        return owned_image_volumes(request)
    refused_key = LIKE_REFUSED + ("admin" if _is_admin(request) else "member")
    cache = shared_cache.get_cache()
    if not cache.get(refused_key):
        try:
            return lb_cinder.volume_list_raw(
                request, dict(search_opts or {}, **model.IMAGE_VOLUME_LIKE)
            )
        except cinder_exc.BadRequest:
            LOG.info("Cinder refuses name~ to this user: listing every volume.")
            cache.set(refused_key, True, LIKE_REFUSED_SECONDS)
    return lb_cinder.volume_list_raw(request, dict(search_opts or {}))


def owned_image_volumes(request):
    """The image volumes of the member's project (``image_owner`` metadata)."""
    return lb_cinder.volume_list_raw(request, model.owned_image_volumes(request.user.project_id))


def _shared_fact(key, compute, max_age):
    """``compute()``, kept in the shared cache for ``max_age`` seconds (0:
    computed every time). For facts of the cloud that are the same for
    every admin and change rarely; None (unknown) is never kept."""
    if not max_age:
        return compute()
    cache = shared_cache.get_cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value, max_age)
    return value


def _facts_max_age():
    return int(conf.get("CLOUD_FACTS_MAX_AGE"))


def store_volume_types():
    """Glance store id -> [Lightbits volume type names], from settings."""
    return {store: list(types or []) for store, types in conf.get("STORE_VOLUME_TYPES").items()}


class CloneFacts:
    """What the clone rules need to know about the cloud, fetched once per page."""

    def __init__(self, request):
        self.project_id = request.user.project_id
        with ThreadPoolExecutor(max_workers=3) as pool:  # independent lists at once
            volumes = pool.submit(self._volumes, request)
            encrypted_ids = pool.submit(self._encrypted_type_ids, request)
            types = volume_types(request)
            self.volumes = volumes.result()
            encrypted_ids = encrypted_ids.result()
        self.type_names = {t.name for t in types}
        self.encrypted_type_names = (
            None if encrypted_ids is None else {t.name for t in types if t.id in encrypted_ids}
        )
        self.volume_index = model.VolumeIndex(self.volumes)
        self.cache_entries = self._cache_entries(request)

    @staticmethod
    def _volumes(request):
        try:
            return image_volume_candidates(request)
        except Exception:
            LOG.info("Volume list unavailable: image volumes are not looked up.")
            return []

    @staticmethod
    def _cache_entries(request):
        """{image id: [cache entries]}; False: no internal tenant configured;
        None: its entries cannot be seen (another project: admins only)."""
        internal = list(conf.get("INTERNAL_PROJECTS") or [])
        if not internal:
            return False
        if not _is_admin(request):
            return None
        try:
            volumes = []
            for project_id in _project_ids(request, internal):
                search = {"all_tenants": True, "project_id": project_id}
                volumes += image_volume_candidates(request, search_opts=search)
        except Exception:
            LOG.info("Internal tenant's volumes unreadable: image-volume cache not seen.")
            return None
        return model.cache_entries(volumes)

    def cache_for(self, image):
        """The image's cache entries for clone_path (False / None / list)."""
        if not self.cache_entries:
            return self.cache_entries
        return self.cache_entries.get(image.id, [])

    @staticmethod
    def _encrypted_type_ids(request):
        """Encrypted volume type ids, or None when the user cannot see them.

        Cinder shows volume type encryption to admins only (by default).
        """
        if not _is_admin(request):
            return None

        def listed():
            try:
                encryptions = api.cinder.volume_encryption_type_list(request)
            except Exception:
                return None
            return {getattr(e, "volume_type_id", None) for e in encryptions}

        # Admin-only and the same for every admin: a page may predict a clone
        # on a type encrypted less than CLOUD_FACTS_MAX_AGE ago (Cinder decides).
        return _shared_fact(ENCRYPTED_TYPES, listed, _facts_max_age())

    def usable_types(self, store):
        """The Lightbits volume types of ``store`` that exist in this cloud."""
        return [t for t in store_volume_types().get(store, []) if t in self.type_names]


def _project_ids(request, configured):
    """Configured project ids or names -> ids (a Keystone lookup only for names)."""
    ids = []
    for project in configured:
        if model.looks_like_id(project):
            ids.append(project)
            continue
        found, _more = api.keystone.tenant_list(request, filters={"name": project})
        ids += [p.id for p in found]
    return ids


def annotate(image, store, facts):
    """Set the panel's computed fields on an image object and return it."""
    image.store = store
    image.image_volume = facts.volume_index.image_volume(image)
    image.clone_verdict, image.clone_reasons = clone_path.clone_path(
        image,
        store=store,
        mapped_types=store_volume_types().get(store, []),
        existing_type_names=facts.type_names,
        project_id=facts.project_id,
        encrypted_type_names=facts.encrypted_type_names,
        image_volume=image.image_volume,
        cache_entries=facts.cache_for(image),
    )
    return image


def lightbits_images(request, images, facts=None):
    """The Lightbits images among ``images``, annotated. ``facts``: their
    CloneFacts, a future of it (read only when there are such images), or
    None (read now)."""
    found = model.lightbits_images(images, store_volume_types())
    if not found:
        return []
    if isinstance(facts, Future):
        facts = facts.result()
    facts = facts or CloneFacts(request)
    return [annotate(image, store, facts) for image, store in found]


@memoized.memoized
def get_lightbits_image(request, image_id):
    """The Lightbits image ``image_id``, annotated; Http404 when unknown or not Lightbits."""
    index = reverse_lazy(model.PROJECT_INDEX_URL)
    try:
        image = api.glance.image_get(request, image_id)
    except Exception as exc:
        if isinstance(exc, NOT_FOUND):
            raise Http404(_("No such image."))
        exceptions.handle(request, _("Unable to retrieve image."), redirect=index)
    try:
        found = lightbits_images(request, [image])
    except Exception:
        exceptions.handle(request, _("Unable to retrieve volume types."), redirect=index)
    if not found:
        raise Http404(_("Not a Lightbits image."))
    return found[0]


def backends_down(request, type_names=None, cached=False):
    """{Lightbits volume type name: why no boot volume can be made on it now}.

    Its Lightbits cluster gives no answer (the plugin's cached probe, for
    every user, when CLUSTERS configures the cluster); or, for admins,
    Cinder's pools and volume services say its backend cannot take volumes
    (Cinder shows them to admins only by default; the LightOS driver reports
    its pool even while the cluster is unreachable). {} when unknown: the
    check never blocks what it cannot see. ``cached``: Cinder's verdict may
    be up to CLOUD_FACTS_MAX_AGE old (page views; a launch asks it anew).
    """
    wanted = set(type_names or [t for types in store_volume_types().values() for t in types])
    if not wanted:
        return {}
    admin = _is_admin(request)
    try:
        # project members cannot read a type's backend: CLUSTERS names their types
        types = (
            [t for t in volume_types(request) if t.name in wanted]
            if admin
            else [_NamedType(name) for name in sorted(wanted)]
        )
    except Exception:
        LOG.info("Volume types unreadable: backend state unknown.")
        return {}
    found = clusters_down(request, types)
    if admin:
        max_age = _facts_max_age() if cached else 0
        for name, reason in _cinder_down_cached(request, types, max_age).items():
            found.setdefault(name, reason)
    return found


class _NamedType:
    def __init__(self, name):
        self.name, self.extra_specs = name, {}


def clusters_down(request, types):
    """{type name: why}: the types (objects or names) whose Lightbits cluster
    gives no answer now (the plugin's probe, cached and shared)."""
    clusters = lb_api.backends()
    found = {}
    for volume_type in types:
        if isinstance(volume_type, str):
            volume_type = _NamedType(volume_type)
        specs = getattr(volume_type, "extra_specs", None) or {}
        cluster = backend.cluster_of(volume_type.name, specs, clusters)
        down = lb_api.down_state(request, cluster) if cluster else None
        if down:
            found[volume_type.name] = _cluster_down(down)
    return found


def _cluster_down(down):
    """Why: the cluster's last answer the plugin saw, else its first miss."""
    if down["answered_at"]:
        return msg("cluster_down", time=_utc(down["answered_at"]))
    return msg("cluster_down_no_answer_seen", time=_utc(down["since"]))


def _utc(when):
    return time.strftime("%H:%M:%S", time.gmtime(when))


def _cinder_down_cached(request, types, max_age):
    """_cinder_down, shared by admins for ``max_age`` seconds: the key names
    each type with its backend, so a changed type is a new key."""
    backends = sorted(
        (t.name, (getattr(t, "extra_specs", None) or {}).get("volume_backend_name") or "")
        for t in types
    )
    key = CINDER_DOWN + hashlib.sha256(repr(backends).encode()).hexdigest()[:32]
    return _shared_fact(key, lambda: _cinder_down(request, types), max_age) or {}


def _cinder_down(request, types):
    if not types:
        return {}
    try:
        # Not Horizon's futurist_utils: its pool's shutdown idles about 1 s.
        with ThreadPoolExecutor(max_workers=1) as pool:
            services = pool.submit(api.cinder.service_list, request)
            pools = [getattr(p, "_apiresource", p) for p in api.cinder.pool_list(request, True)]
            services = services.result()
    except Exception:
        LOG.info("Cinder's pools or services unreadable: backend state unknown.")
        return None
    found = {}
    for volume_type in types:
        name = (getattr(volume_type, "extra_specs", None) or {}).get("volume_backend_name")
        reason = backend.down_reason(name, pools, services)
        if reason:
            found[volume_type.name] = reason
    return found


def mark_unavailable(images, down):
    """Set ``clone_unavailable`` on each image none of whose store's volume
    types can take a boot volume now (the reasons, Messages; [] otherwise),
    so no page says "Fast clone" for it."""
    for image in images:
        types = store_volume_types().get(getattr(image, "store", None), [])
        reasons = [down[t] for t in types if t in down]
        image.clone_unavailable = reasons if types and len(reasons) == len(types) else []
    return images
