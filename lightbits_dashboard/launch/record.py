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

"""The launch record, kept in each boot volume's own Cinder metadata.

No database: a launch survives a page reload and a Horizon restart because
everything needed to finish it lives on the boot volume it created. Cinder
limits metadata keys and values to 255 characters, so the server spec (JSON)
and the user data are split across numbered keys.

The message (an error, or the launch's summary) is stored as a code with
parameters (``Message`` as JSON), never as English: the panel translates it
when it shows the row. A message written by an earlier version (English
text) still reads: ``read_message`` migrates it.
"""

import json
import re
from dataclasses import asdict, dataclass, field, replace

from lightbits_dashboard.message import Message, msg

PREFIX = "lightbits_launch_"
# Server metadata key naming the boot volume a launch booted the server on:
# finds the server when its id never reached the launch record.
SERVER_MARK = PREFIX + "boot_volume"
# On every launch volume, one constant key=value: Cinder's metadata filter
# (allowed to every user by default) lists the launch volumes alone.
MARK = ((PREFIX + "mark", "1"),)
CHUNK = 255

CLONING = "cloning"
BOOTING = "booting"
ACTIVE = "active"
ERROR = "error"
INTERRUPTED = "interrupted"  # shown only: a cloning/booting launch whose driver is gone


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
class AttachedVolume:
    """One volume of an instance launched from snapshots, as Nova attaches it.

    The root's ``volume_id`` is "" (the record's own volume); ``made`` is
    clone_check.CLONE/COPY once verified, "" before or when unknown."""

    snapshot_id: str
    role: str  # snapshot_plan.ROOT or DATA
    volume_id: str = ""
    device_name: str | None = None
    boot_index: int | None = None
    delete_on_termination: bool = False
    disk_bus: str | None = None
    device_type: str | None = None
    made: str = ""


_VOLUME_FIELDS = (
    ("s", "snapshot_id"),
    ("r", "role"),
    ("v", "volume_id"),
    ("d", "device_name"),
    ("b", "boot_index"),
    ("t", "delete_on_termination"),
    ("u", "disk_bus"),
    ("y", "device_type"),
    ("m", "made"),
)


def _volume_data(volume):
    data = {short: getattr(volume, name) for short, name in _VOLUME_FIELDS}
    return {k: v for k, v in data.items() if v is not None and v != "" and v is not False}


def _volume_of(data):
    values = {name: data.get(short) for short, name in _VOLUME_FIELDS if short in data}
    return AttachedVolume(**values)


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
    message: Message | None = None  # the error, or the launch's summary once done
    # How the boot volume was made (clone_check.CLONE/COPY, "" not yet or unknown),
    # in how many seconds, what the clone path said before, and whether the
    # user required a fast clone.
    made: str = ""
    made_seconds: float | None = None
    expected: str = ""
    require_clone: bool = False
    # Launched from snapshots: every volume of the instance, root first
    # (empty for a launch from an image's image volume).
    volumes: tuple = ()

    def with_(self, **changes):
        return replace(self, **changes)


def _dump(data):
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _longest_text(data, path=()):
    """(length, path) of the longest string parameter in ``to_data`` form."""
    best = (0, None)
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        if isinstance(value, str) and key != "c" and len(value) > best[0]:
            best = (len(value), path + (key,))
        elif isinstance(value, (dict, list)):
            best = max(best, _longest_text(value, path + (key,)), key=lambda b: b[0])
    return best


def _cut_texts(data, limit):
    """``data`` as JSON within ``limit``, its longest texts cut; None when
    cutting texts is not enough."""
    text = _dump(data)
    while len(text) > limit:
        length, path = _longest_text(data)
        if path is None or length <= 8:
            return None
        holder = data
        for key in path[:-1]:
            holder = holder[key]
        keep = max(length - (len(text) - limit) - 1, 7)
        holder[path[-1]] = holder[path[-1]][:keep] + "\u2026"
        text = _dump(data)
    return text


def _drop_last_item(data):
    """Drop the last entry of the first list parameter holding several."""
    for value in (data.get("p") or {}).values():
        if isinstance(value, list) and len(value) > 1:
            value.pop()
            return True
    return False


def encode_message(message, limit=CHUNK):
    """``message`` as JSON within ``limit`` characters: the longest texts
    (the clouds' own words) are cut, with an ellipsis, and then the last
    entries of a list (a summary's failures) dropped, until it fits; as a
    last resort only the code is kept. Each instance's row shows its own
    error in full."""
    data = message.to_data()
    while True:
        text = _cut_texts(json.loads(_dump(data)), limit)
        if text is not None:
            return text
        if not _drop_last_item(data):
            return _dump({"c": message.code})


# Messages written in English by the versions before codes (migrate on read).
_LEGACY = (
    (re.compile(r"^(?P<launched>\d+) of (?P<total>\d+) launched$"), "launched_all"),
    (re.compile(r"^(?P<server>.+) launched$"), "launched_one"),
)


def read_message(text):
    """The Message stored in a metadata value: JSON from this version, or an
    earlier version's English, mapped to its code when it is a known one and
    kept as it is ("legacy_text") otherwise."""
    if not text:
        return None
    if text.startswith("{"):
        try:
            found = Message.from_data(json.loads(text))
        except ValueError:
            found = None
        if found:
            return found
    for pattern, code in _LEGACY:
        match = pattern.match(text)
        if match:
            params = {
                k: int(v) if v.isdigit() and k != "server" else v
                for k, v in match.groupdict().items()
            }
            return Message(code, params)
    return msg("legacy_text", text=text)


def message_keys(message):
    """The metadata key holding ``message`` (encoded to fit)."""
    return {_key("message"): encode_message(message)}


def fit(text, limit=CHUNK):
    """``text`` cut to what a metadata value holds, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _texts(data):
    """Every text parameter of a Message in ``to_data`` form."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        if isinstance(value, str) and key != "c":
            yield value
        elif isinstance(value, (dict, list)):
            yield from _texts(value)


def was_cut(message):
    """True when ``message`` is what ``encode_message`` made of a longer one:
    a text cut with an ellipsis, or a summary's failures (some or all) left out."""
    if message is None:
        return False
    if message.code == "launched_some":
        params = message.params
        failed = params.get("failed") or []
        if "total" not in params or len(failed) < params["total"] - params.get("launched", 0):
            return True
    return any(text.endswith("\u2026") for text in _texts(message.to_data()))


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
        **dict(MARK),
        _key("id"): record.launch_id,
        _key("name"): record.name[:CHUNK],
        _key("index"): str(record.index),
        _key("count"): str(record.count),
        _key("server"): record.server_name[:CHUNK],
        _key("image"): record.image_id,
        _key("state"): record.state,
    }
    if record.expected:
        metadata[_key("expected")] = record.expected
    if record.require_clone:
        metadata[_key("require_clone")] = "1"
    metadata.update(_split("spec", json.dumps(spec, separators=(",", ":"))))
    if user_data:
        metadata.update(_split("userdata", user_data))
    metadata.update(volume_keys(record))
    metadata.update(state_keys(record))
    return metadata


def data_keys(record, root_volume_id):
    """The metadata of a data volume of a snapshot launch: whose it is. No
    launch id or mark, so the Launches table lists only the root volumes."""
    return {_key("data_of"): root_volume_id, _key("data_server"): record.server_name[:CHUNK]}


def volume_keys(record):
    """The keys holding a snapshot launch's volumes (none for an image launch).

    The list only grows while the launch runs (ids, then how each was made),
    so the new chunks overwrite the old ones."""
    if not record.volumes:
        return {}
    text = json.dumps([_volume_data(v) for v in record.volumes], separators=(",", ":"))
    return _split("vols", text)


def _volumes(metadata):
    text = _join(metadata, "vols")
    if not text:
        return ()
    return tuple(_volume_of(item) for item in json.loads(text))


def state_keys(record):
    """The keys that change while a launch runs."""
    keys = {_key("state"): record.state}
    if record.server_id:
        keys[_key("server_id")] = record.server_id
    if record.message:
        keys.update(message_keys(record.message))
    if record.made:
        keys[_key("made")] = record.made
        if record.made_seconds is not None:
            keys[_key("made_s")] = f"{record.made_seconds:.1f}"
    return keys


def _seconds(value):
    try:
        return float(value) if value else None
    except ValueError:
        return None


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
            message=read_message(metadata.get(_key("message"))),
            made=metadata.get(_key("made"), ""),
            made_seconds=_seconds(metadata.get(_key("made_s"))),
            expected=metadata.get(_key("expected"), ""),
            require_clone=metadata.get(_key("require_clone")) == "1",
            volumes=_volumes(metadata),
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
