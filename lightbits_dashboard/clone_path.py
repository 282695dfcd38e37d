"""Will Cinder clone a boot volume from this image, or fall back to a copy?

Cinder's rules (cinder/volume/flows/manager/create_volume.py,
``_clone_image_volume``): the clone fast path is taken only when every rule
below holds; otherwise Cinder silently downloads and copies the image. One
function per rule; each returns a ``Check``. ``ok`` is None when the rule
cannot be decided from what the project can see: the verdict then stays
"Fast clone" and the reason says what could not be checked.

Plain Python: images and volumes are any objects (or dicts) with Glance's and
Cinder's field names.
"""

from dataclasses import dataclass

FAST_CLONE = "Fast clone"
COPY = "Copy"
FAST_CLONE_VERDICTS = (FAST_CLONE,)  # the verdicts whose boot volume is a clone


@dataclass(frozen=True)
class Check:
    ok: bool | None  # None: cannot be decided from the project's view
    reason: str = ""


def field(obj, name, default=None):
    """A field of an API object or of a dict (None-safe)."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        value = obj.get(name, default)
    else:
        value = getattr(obj, name, default)
    return default if value is None else value


def check_active(image):
    status = field(image, "status", "")
    if status == "active":
        return Check(True)
    return Check(False, f"image is not active (status {status or 'unknown'})")


def check_raw_bare(image):
    disk, container = field(image, "disk_format", ""), field(image, "container_format", "")
    if disk == "raw" and container == "bare":
        return Check(True)
    return Check(False, f"image is {disk or '?'}/{container or '?'}, not raw/bare")


def check_volume_type(store, mapped_types, existing_type_names):
    """A Lightbits volume type mapped to the image's store exists in this cloud.

    Only such a type lands on the backend (host and pool) holding the image
    volume; LightOS does not report ``clone_across_pools``.
    """
    if not mapped_types:
        return Check(False, f"no Lightbits volume type is configured for store {store}")
    usable = [name for name in mapped_types if name in existing_type_names]
    if usable:
        return Check(True)
    return Check(
        False,
        "no Lightbits volume type for store {} exists in this cloud ({})".format(
            store, ", ".join(mapped_types)
        ),
    )


def check_not_encrypted(usable_types, encrypted_type_names):
    """The new volume must not be encrypted.

    ``encrypted_type_names`` is None when the project cannot see volume type
    encryption (admin-only by default in Cinder).
    """
    if encrypted_type_names is None:
        return Check(None, "cannot check from this project's view whether the type is encrypted")
    plain = [name for name in usable_types if name not in encrypted_type_names]
    if plain or not usable_types:
        return Check(True)
    return Check(False, "the Lightbits volume type is encrypted")


def check_owner(image, project_id, image_volume):
    """Image owner is the project, or matches the image volume's image_owner.

    The image volume is None when the project cannot see it (it lives in the
    project Glance's cinder store uses): then only the first half decides.
    """
    owner = field(image, "owner")
    if owner and owner == project_id:
        return Check(True)
    if image_volume is None:
        return Check(
            None,
            "image owned by another project: cannot check from this project's view "
            "whether its image volume records that owner",
        )
    recorded = field(field(image_volume, "metadata", {}), "image_owner")
    if recorded and recorded == owner:
        return Check(True)
    return Check(False, "image owned by another project")


def clone_path(
    image,
    *,
    store,
    mapped_types,
    existing_type_names,
    project_id,
    encrypted_type_names=None,
    image_volume=None,
):
    """("Fast clone" | "Copy", [reasons]) for a boot volume from ``image``."""
    mapped_types = list(mapped_types or [])
    existing = set(existing_type_names or [])
    usable = [name for name in mapped_types if name in existing]
    checks = [
        check_active(image),
        check_raw_bare(image),
        check_volume_type(store, mapped_types, existing),
        check_not_encrypted(usable, encrypted_type_names),
        check_owner(image, project_id, image_volume),
    ]
    failed = [c.reason for c in checks if c.ok is False]
    if failed:
        return COPY, failed
    return FAST_CLONE, [c.reason for c in checks if c.ok is None]
