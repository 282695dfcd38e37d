"""The checks made before a conversion creates anything.

Each rule is a small function returning None (passes) or a ``Problem``: a
code and its parameters, which the panel turns into a sentence. ``check``
runs them all and returns every problem, so the user sees all at once.
"""

from dataclasses import dataclass, field

from lightbits_dashboard.launch import quota, sizing

# Formats Cinder's download + qemu-img convert turns into a raw volume.
CONVERTIBLE_FORMATS = ("qcow2", "raw", "vmdk", "vdi", "vhd", "vhdx", "qed", "ploop")
CONVERTIBLE_CONTAINERS = ("bare",)
STORE_ID_SPEC = "image_service:store_id"
# Temporary volume + Cinder's clone of it (the new image volume, in the
# caller's project unless Cinder uses an internal tenant) exist together.
VOLUMES_AT_ONCE = 2

NOT_ACTIVE = "image_not_active"
SIZE_UNKNOWN = "image_size_unknown"
NOT_OWNER = "not_owner"
NOT_ON_LIGHTBITS = "not_on_lightbits"  # the project panel converts Lightbits images only
FORMAT = "unsupported_format"
ALREADY_FAST = "already_fast_clonable"
ALREADY_CONVERTED = "already_converted"
# converted into an image the user cannot see (another project's copy, or deleted)
ALREADY_CONVERTED_HIDDEN = "already_converted_hidden"
IN_PROGRESS = "in_progress"  # this project's temporary volume exists
BEING_CONVERTED = "being_converted"  # params: who (a lock.BY_* code) and its params
NO_TYPE = "no_store_type"
TYPE_STORE_ID = "type_has_store_id"
QUOTA = "quota"
IMAGE_QUOTA = "image_quota"
# A note, not a problem: Glance shows no limits (no Keystone unified limits).
IMAGE_QUOTA_UNCHECKED = "image_quota_unchecked"
VISIBILITY = "visibility_not_allowed"


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """The image to convert, as the plugin read it (plain values)."""

    id: str
    name: str
    status: str
    disk_format: str
    container_format: str
    owner: str
    visibility: str
    size: int | None = None
    virtual_size: int | None = None
    min_disk: int = 0
    min_ram: int = 0
    protected: bool = False
    hidden: bool = False
    tags: tuple = ()
    properties: dict = field(default_factory=dict)
    members: tuple = ()  # project ids the image is shared with
    store: str | None = None  # the Lightbits store holding it, None: not on Lightbits
    converted_to: str | None = None  # pointer left by an earlier conversion


def temporary_volume_gib(source):
    """The smallest volume that holds the virtual size (and min_disk)."""
    return sizing.min_boot_volume_gib(source.size, source.virtual_size, source.min_disk)


def check_active(source):
    if source.status != "active":
        return Problem(NOT_ACTIVE, {"status": source.status or "unknown"})
    return None


def check_size(source):
    if not (source.virtual_size or source.size):
        return Problem(SIZE_UNKNOWN)
    return None


def check_owner(source, project_id, any_image=False):
    """The project panel converts only the project's own images."""
    if not any_image and source.owner != project_id:
        return Problem(NOT_OWNER, {"owner": source.owner or "unknown"})
    return None


def check_on_lightbits(source, any_image=False):
    """The project panel lists (and converts) Lightbits images only; the
    admin panel also moves an image from another store onto Lightbits."""
    if not any_image and not source.store:
        return Problem(NOT_ON_LIGHTBITS)
    return None


def check_format(source):
    if (
        source.disk_format not in CONVERTIBLE_FORMATS
        or source.container_format not in CONVERTIBLE_CONTAINERS
    ):
        formats = {"disk_format": source.disk_format, "container_format": source.container_format}
        return Problem(FORMAT, formats)
    if source.store and (source.disk_format, source.container_format) == ("raw", "bare"):
        return Problem(ALREADY_FAST)
    return None


def check_not_converted(source, existing_image_ids, copy_hidden=False):
    """Running it twice on one image does not make two, across projects:
    ``copy_hidden`` when the copy the source names is not visible to the user
    (then nothing about it is said)."""
    if source.converted_to and source.converted_to in existing_image_ids:
        return Problem(ALREADY_CONVERTED, {"image_id": source.converted_to})
    if source.converted_to and copy_hidden:
        return Problem(ALREADY_CONVERTED_HIDDEN)
    return None


def check_not_in_progress(source, converting_image_ids, converting_by=None):
    """converting_by: (who, params) when another conversion holds the image's
    lock (``convert.lock.who``): it says who, as far as the user may know."""
    if converting_by:
        who, params = converting_by
        return Problem(BEING_CONVERTED, dict(params, who=who))
    if source.id in converting_image_ids:
        return Problem(IN_PROGRESS)
    return None


def check_volume_type(store, volume_type, types):
    """The store's volume type exists and carries no ``image_service:store_id``.

    ``types``: {name: extra specs dict, or None when the user cannot read them}.
    With the store id Cinder sends it as validation data to Glance's new
    add-location API, which refuses it, and Cinder silently uploads through
    Glance instead of cloning.
    """
    if not volume_type or volume_type not in types:
        return Problem(NO_TYPE, {"store": store or "", "type": volume_type or ""})
    specs = types[volume_type] or {}
    if STORE_ID_SPEC in specs:
        return Problem(TYPE_STORE_ID, {"type": volume_type, "store": specs[STORE_ID_SPEC]})
    return None


def needs(size_gib, volume_type):
    return {
        "volumes": VOLUMES_AT_ONCE,
        "gigabytes": VOLUMES_AT_ONCE * size_gib,
        f"volumes_{volume_type}": VOLUMES_AT_ONCE,
        f"gigabytes_{volume_type}": VOLUMES_AT_ONCE * size_gib,
    }


def check_quota(size_gib, volume_type, usage):
    """One Problem per quota the temporary volume and the clone would exceed."""
    problems = []
    for name, amount in needs(size_gib, volume_type).items():
        limit, used = usage.get(name, (None, 0))
        if limit in quota.UNLIMITED:
            continue
        available = max(int(limit) - int(used or 0), 0)
        if amount > available:
            params = {"name": name, "needs": amount, "used": used, "limit": limit}
            problems.append(Problem(QUOTA, dict(params, available=available)))
    return problems


def image_needs(size_gib):
    """Glance's unified-limit resources the new image takes: one image, and its
    size (the volume's, in MiB, as Glance counts image_size_total)."""
    return {"image_count_total": 1, "image_size_total": size_gib * 1024}


def image_quota_checked(image_usage):
    """Glance showed its limits (GET /v2/info/usage): only with
    ``use_keystone_limits``; otherwise it answers {} and nothing can be checked."""
    return bool(image_usage)


def check_image_quota(size_gib, image_usage):
    """One Problem per Glance limit the new image would exceed.

    image_usage: Glance's ``usage`` ({resource: {"limit", "usage"}}), or
    None / {} when it cannot be read (then nothing is refused here)."""
    problems = []
    for name, amount in image_needs(size_gib).items():
        found = (image_usage or {}).get(name) or {}
        limit, used = found.get("limit"), int(found.get("usage") or 0)
        if limit is None or int(limit) < 0:  # -1: unlimited
            continue
        available = max(int(limit) - used, 0)
        if amount > available:
            params = {"name": name, "needs": amount, "used": used, "limit": limit}
            problems.append(Problem(IMAGE_QUOTA, dict(params, available=available)))
    return problems


def check_visibility(source, can_publicize):
    """Cinder's upload-to-image makes a public image only for admins."""
    if source.visibility == "public" and not can_publicize:
        return Problem(VISIBILITY, {"visibility": "public"})
    return None


def check(
    source,
    *,
    project_id,
    volume_type,
    types,
    usage,
    existing_image_ids=(),
    converting_image_ids=(),
    converting_by=None,
    copy_hidden=False,
    can_publicize=False,
    any_image=False,
    image_usage=None,
):
    """Every Problem that stops converting ``source`` (empty: go).

    converting_by, copy_hidden: check_not_in_progress, check_not_converted.

    image_usage: Glance's unified-limit usage for the new image's project
    (check_image_quota); None / {}: not checked (image_quota_checked)."""
    found = [
        check_active(source),
        check_size(source),
        check_owner(source, project_id, any_image),
        check_on_lightbits(source, any_image),
        check_format(source),
        check_not_converted(source, set(existing_image_ids), copy_hidden),
        check_not_in_progress(source, set(converting_image_ids), converting_by),
        check_volume_type(source.store, volume_type, types),
        check_visibility(source, can_publicize),
    ]
    problems = [p for p in found if p]
    if not any(p.code in (SIZE_UNKNOWN, NO_TYPE) for p in problems):
        problems += check_quota(temporary_volume_gib(source), volume_type, usage)
    if not any(p.code == SIZE_UNKNOWN for p in problems):
        problems += check_image_quota(temporary_volume_gib(source), image_usage)
    return problems


# Glance's own image fields: everything else is a user property.
CORE_FIELDS = {
    "id", "name", "status", "visibility", "protected", "os_hidden", "owner", "size",
    "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "disk_format",
    "container_format", "min_disk", "min_ram", "created_at", "updated_at", "tags",
    "file", "schema", "self", "direct_url", "locations", "stores", "properties",
}  # fmt: skip


def source_from(image, members=(), store=None):
    """A Source from Glance's image (a dict, or Horizon's Image wrapper)."""
    if not isinstance(image, dict):
        raw = getattr(image, "_apiresource", image)
        image = dict(raw) if hasattr(raw, "keys") else dict(vars(raw))
    props = {k: v for k, v in image.items() if k not in CORE_FIELDS and not k.startswith("_")}
    props.update(image.get("properties") or {})
    return Source(
        id=image["id"],
        name=image.get("name") or "",
        status=image.get("status") or "",
        disk_format=image.get("disk_format") or "",
        container_format=image.get("container_format") or "",
        owner=image.get("owner") or "",
        visibility=image.get("visibility") or "private",
        size=image.get("size"),
        virtual_size=image.get("virtual_size"),
        min_disk=int(image.get("min_disk") or 0),
        min_ram=int(image.get("min_ram") or 0),
        protected=bool(image.get("protected")),
        hidden=bool(image.get("os_hidden")),
        tags=tuple(image.get("tags") or ()),
        properties=props,
        members=tuple(members),
        store=store,
        converted_to=props.get("lightbits_converted_to"),
    )
