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

"""Cinder's image-volume cache as the admin inventory sees it.

Plain Python, no Django. The rules are the project panel's
(clone_path.check_cache / is_stale, model.cache_entries): an image that is
not raw/bare fast-clones from the cache when an available entry made after
the image's last update exists ("Fast clone (from cache)"); an entry older
than the image's ``updated_at`` is stale: Cinder drops it on the next volume
from the image (image/cache.py ``_should_update_entry``) and copies again.
Cinder does not drop it when the image changes: a stale entry stays until
that next volume.

Considered only when the internal tenant is configured (INTERNAL_PROJECTS),
as in the project panel: only then are entries told apart from a user's own
``image-<uuid>`` volumes.
"""

from lightbits_dashboard import clone_path, model
from lightbits_dashboard.model import field

FRESH = clone_path.FAST_CLONE_CACHE  # the image fast-clones from the cache
STALE = clone_path.CACHE_STALE  # its only entries are stale: Cinder copies again


def entries(volumes, internal_projects):
    """{image id: [entries]} among the internal tenant's volumes; None when
    no internal tenant is configured (the cache is not considered)."""
    if not internal_projects:
        return None
    return model.cache_entries(v for v in volumes if model.volume_project(v) in internal_projects)


def state(image, cache_entries):
    """FRESH, STALE or None (no entry, or the cache not considered) for an
    image that is not raw/bare; None for a raw/bare one (it clones its image
    volume, as in the project panel)."""
    if cache_entries is None or clone_path.check_raw_bare(image).ok:
        return None
    check = clone_path.check_cache(image, cache_entries.get(field(image, "id"), []))
    if check.ok:
        return FRESH
    return STALE if check.message else None


def is_stale(image, entry):
    """The entry is older than the image's last update (None image: not known)."""
    return image is not None and clone_path.is_stale(image, entry)
