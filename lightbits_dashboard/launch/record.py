"""The launch record, kept in each boot volume's own Cinder metadata.

No database: a launch survives a page reload and a Horizon restart because
everything needed to finish it lives on the boot volume it created. Cinder
limits metadata keys and values to 255 characters, so the server spec (JSON)
and the user data are split across numbered keys.
"""

import json
from dataclasses import asdict, dataclass, field, replace

PREFIX = "lightbits_launch_"
# Server metadata key naming the boot volume a launch booted the server on:
# finds the server when its id never reached the launch record.
SERVER_MARK = PREFIX + "boot_volume"
CHUNK = 255

CLONING = "cloning"
BOOTING = "booting"
ACTIVE = "active"
ERROR = "error"
INTERRUPTED = "interrupted"  # shown only: a cloning/booting launch whose driver is gone
IN_PROGRESS = (CLONING, BOOTING)


@dataclass(frozen=True)
class ServerSpec:
    """What Nova needs to boot one server from its boot volume."""

    flavor: str
    networks: tuple = ()  # network ids; empty: boot with networks "none"
    key_name: str | None = None
    security_groups: tuple = ()
    availability_zone: str | None = None
    delete_on_terminate: bool = True
    user_data: str | None = None


@dataclass(frozen=True)
class LaunchRecord:
    launch_id: str
    name: str  # the name the user typed
    index: int  # 1..count
    count: int
    server_name: str
    image_id: str
    state: str
    spec: ServerSpec = field(default_factory=lambda: ServerSpec(flavor=""))
    server_id: str | None = None
    message: str = ""  # the error, or the launch's summary once done

    def with_(self, **changes):
        return replace(self, **changes)


def fit(text, limit=CHUNK):
    """``text`` cut to what a metadata value holds, marked with an ellipsis when
    cut (the rows of the launch show each instance's own result in full)."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def was_cut(text):
    """True when ``text`` is what ``fit`` made of a longer one."""
    return len(text or "") == CHUNK and text.endswith("\u2026")


def _key(name):
    return PREFIX + name


def _split(name, text):
    """{name_0: text[0:255], name_1: ...} for a long value."""
    return {
        _key(f"{name}_{i}"): text[start : start + CHUNK]
        for i, start in enumerate(range(0, len(text), CHUNK))
    }


def _join(metadata, name):
    parts, i = [], 0
    while _key(f"{name}_{i}") in metadata:
        parts.append(metadata[_key(f"{name}_{i}")])
        i += 1
    return "".join(parts) if parts else None


def encode(record):
    """The Cinder metadata (str -> str, values <= 255 chars) for ``record``."""
    spec = asdict(record.spec)
    user_data = spec.pop("user_data")
    metadata = {
        _key("id"): record.launch_id,
        _key("name"): record.name[:CHUNK],
        _key("index"): str(record.index),
        _key("count"): str(record.count),
        _key("server"): record.server_name[:CHUNK],
        _key("image"): record.image_id,
        _key("state"): record.state,
    }
    metadata.update(_split("spec", json.dumps(spec, separators=(",", ":"))))
    if user_data:
        metadata.update(_split("userdata", user_data))
    metadata.update(state_keys(record))
    return metadata


def state_keys(record):
    """The keys that change while a launch runs."""
    keys = {_key("state"): record.state}
    if record.server_id:
        keys[_key("server_id")] = record.server_id
    if record.message:
        keys[_key("message")] = fit(record.message)
    return keys


def decode(metadata):
    """The LaunchRecord in a volume's metadata, or None when it holds none."""
    metadata = metadata or {}
    if _key("id") not in metadata:
        return None
    try:
        spec = json.loads(_join(metadata, "spec") or "{}")
        spec = ServerSpec(
            flavor=spec.get("flavor", ""),
            networks=tuple(spec.get("networks") or ()),
            key_name=spec.get("key_name"),
            security_groups=tuple(spec.get("security_groups") or ()),
            availability_zone=spec.get("availability_zone"),
            delete_on_terminate=bool(spec.get("delete_on_terminate", True)),
            user_data=_join(metadata, "userdata"),
        )
        return LaunchRecord(
            launch_id=metadata[_key("id")],
            name=metadata.get(_key("name"), ""),
            index=int(metadata.get(_key("index"), 1)),
            count=int(metadata.get(_key("count"), 1)),
            server_name=metadata.get(_key("server"), ""),
            image_id=metadata.get(_key("image"), ""),
            state=metadata.get(_key("state"), ERROR),
            spec=spec,
            server_id=metadata.get(_key("server_id")),
            message=metadata.get(_key("message"), ""),
        )
    except (ValueError, TypeError, AttributeError):  # metadata edited by hand
        return None


def all_keys(metadata):
    """Every launch key in ``metadata`` (to dismiss a finished launch)."""
    return [k for k in (metadata or {}) if k.startswith(PREFIX)]


def boot_only_keys(metadata):
    """Keys needed only until the server exists (spec and user data)."""
    return [
        k
        for k in (metadata or {})
        if k.startswith(_key("spec_")) or k.startswith(_key("userdata_"))
    ]
