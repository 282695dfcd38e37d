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

"""Will Cinder clone a boot volume from this image, or fall back to a copy?

Cinder's rules (cinder/volume/flows/manager/create_volume.py,
``_clone_image_volume``): the clone fast path is taken only when every rule
below holds; otherwise Cinder silently downloads and copies the image. One
function per rule; each returns a ``Check``. ``ok`` is None when the rule
cannot be decided from what the project can see: the verdict then stays
"Fast clone" and the reason says what could not be checked.

Verdicts and reasons are codes (``FAST_CLONE``, ``COPY``, ``Message``): the
panels translate them (project panel: texts.py).

Plain Python: images and volumes are any objects (or dicts) with Glance's and
Cinder's field names.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from lightbits_dashboard.message import Message, msg
from lightbits_dashboard.model import field  # noqa: F401 (imported from here by the admin panel)

FAST_CLONE = "fast_clone"
FAST_CLONE_CACHE = "fast_clone_cache"  # a clone of Cinder's image-volume cache entry
COPY = "copy"
# shown only: no boot volume can be made on any of the store's types now
UNAVAILABLE = "unavailable"
FAST_CLONE_VERDICTS = (FAST_CLONE, FAST_CLONE_CACHE)  # the verdicts whose boot volume is a clone

# Reasons about Cinder's image-volume cache.
CACHE_STALE = "cache_entry_stale"  # an entry older than the image's last update
CACHE_UNSEEN = "cache_not_visible"  # the internal tenant's entries are not visible here


@dataclass(frozen=True)
class Check:
    ok: bool | None  # None: cannot be decided from the project's view
    message: Message | None = None  # why, when ok is not True

    @property
    def reason(self):
        """English, for inventory.py's admin texts until they take codes."""
        if self.message is None:
            return ""
        if self.message.code == "not_raw_bare":
            return "image is {disk}/{container}, not raw/bare".format(**self.message.params)
        return self.message.code


def check_active(image):
    status = field(image, "status", "")
    if status == "active":
        return Check(True)
    return Check(False, msg("image_not_active", status=status or "unknown"))


def check_raw_bare(image):
    disk, container = field(image, "disk_format", ""), field(image, "container_format", "")
    if disk == "raw" and container == "bare":
        return Check(True)
    return Check(False, msg("not_raw_bare", disk=disk or "?", container=container or "?"))


def check_volume_type(store, mapped_types, existing_type_names):
    """A Lightbits volume type mapped to the image's store exists in this cloud.

    Only such a type lands on the backend (host and pool) holding the image
    volume; LightOS does not report ``clone_across_pools``.
    """
    if not mapped_types:
        return Check(False, msg("no_type_configured", store=store))
    usable = [name for name in mapped_types if name in existing_type_names]
    if usable:
        return Check(True)
    return Check(False, msg("no_type_exists", store=store, types=", ".join(mapped_types)))


def check_not_encrypted(usable_types, encrypted_type_names):
    """The new volume must not be encrypted.

    ``encrypted_type_names`` is None when the project cannot see volume type
    encryption (admin-only by default in Cinder).
    """
    if encrypted_type_names is None:
        return Check(None, msg("encryption_unknown"))
    plain = [name for name in usable_types if name not in encrypted_type_names]
    if plain or not usable_types:
        return Check(True)
    return Check(False, msg("type_encrypted"))


def check_owner(image, project_id, image_volume):
    """Image owner is the project, or matches the image volume's image_owner.

    The image volume is None when the project cannot see it (it lives in the
    project Glance's cinder store uses): then only the first half decides.
    """
    owner = field(image, "owner")
    if owner and owner == project_id:
        return Check(True)
    if image_volume is None:
        return Check(None, msg("owner_unknown"))
    recorded = field(field(image_volume, "metadata", {}), "image_owner")
    if recorded and recorded == owner:
        return Check(True)
    return Check(False, msg("other_owner"))


def _time(value):
    """A Glance/Cinder timestamp as a naive UTC datetime, or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def is_stale(image, entry):
    """The image was updated after the cache entry was made: Cinder drops the
    entry (image/cache.py ``_should_update_entry``) and copies again."""
    updated, made = _time(field(image, "updated_at")), _time(field(entry, "created_at"))
    return bool(updated and made and updated > made)


def check_cache(image, entries):
    """Cinder's image-volume cache serves ``image``: a clone of its entry.

    ``entries`` are the image's cache entries (volumes ``image-<id>`` of
    Cinder's internal tenant made from the image), or None when they cannot
    be seen (the internal tenant is another project: only admins see it).
    Entries are per backend host; a cloud with one host per Lightbits
    backend clones from any of them.
    """
    if entries is None:
        return Check(None, msg(CACHE_UNSEEN))
    usable = [e for e in entries if field(e, "status", "available") == "available"]
    if any(not is_stale(image, e) for e in usable):
        return Check(True)
    return Check(False, msg(CACHE_STALE) if usable else None)


def clone_path(
    image,
    *,
    store,
    mapped_types,
    existing_type_names,
    project_id,
    encrypted_type_names=None,
    image_volume=None,
    cache_entries=False,
):
    """(FAST_CLONE | FAST_CLONE_CACHE | COPY, [reason Messages]).

    ``cache_entries``: False when Cinder's image-volume cache is not
    considered (no internal tenant configured), else as ``check_cache``.
    The cache has no raw/bare or owner rule: an image failing only those is
    a fast clone from the cache when a fresh entry exists.
    """
    mapped_types = list(mapped_types or [])
    existing = set(existing_type_names or [])
    usable = [name for name in mapped_types if name in existing]
    raw_bare, owner = check_raw_bare(image), check_owner(image, project_id, image_volume)
    checks = [
        check_active(image),
        raw_bare,
        check_volume_type(store, mapped_types, existing),
        check_not_encrypted(usable, encrypted_type_names),
        owner,
    ]
    failed = [c for c in checks if c.ok is False]
    if not failed:
        return FAST_CLONE, [c.message for c in checks if c.ok is None]
    reasons = [c.message for c in failed]
    if cache_entries is not False and all(c in (raw_bare, owner) for c in failed):
        cache = check_cache(image, cache_entries)
        if cache.ok:
            return FAST_CLONE_CACHE, []
        if cache.message:
            reasons.append(cache.message)
    return COPY, reasons
