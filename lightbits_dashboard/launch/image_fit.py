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

"""Image properties Nova checks against the flavor when it boots from a volume.

Nova's API (compute/api.py ``_validate_flavor_image_nostatus`` and
virt/hardware.py) refuses the boot of a volume-backed server at once when
one of these rules fails, with the volume's image metadata as the image.
Each rule is one function ``(props, flavor, extra_specs) -> Message|None``
(``flavor``: its name and RAM in MB);
``refusals`` runs them all. ``props`` holds the image's properties (strings,
as Glance and Cinder's volume_image_metadata give them) with ``min_ram``.
"""

from lightbits_dashboard.message import msg

CONFIG_DRIVE_VALUES = ("optional", "mandatory")
CPU_PARTS = ("sockets", "cores", "threads")
# Image properties whose rule needs the flavor's extra specs.
SPEC_PROPS = ("hw_serial_port_count", "hw_mem_page_size") + tuple(
    f"hw_cpu_{kind}{part}" for kind in ("", "max_") for part in CPU_PARTS
)


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return None


def min_ram(props, flavor, _specs):
    """FlavorMemoryTooSmall: the flavor's RAM below the image's min_ram."""
    needed = _int(props.get("min_ram")) or 0
    ram = int(flavor.get("ram") or 0)
    if ram < needed:
        return msg("flavor_ram_below_min_ram", flavor=flavor.get("name"), ram=ram, min=needed)
    return None


def config_drive(props, _flavor, _specs):
    """InvalidImageConfigDrive: img_config_drive other than optional/mandatory."""
    value = props.get("img_config_drive")
    if value is not None and value not in CONFIG_DRIVE_VALUES:
        return msg("image_config_drive_invalid", value=value)
    return None


def serial_ports(props, _flavor, specs):
    """ImageSerialPortNumberExceedFlavorValue: more serial ports than the flavor."""
    image, flavor = (
        _int(props.get("hw_serial_port_count")),
        _int(specs.get("hw:serial_port_count")),
    )
    if image and flavor and image > flavor:
        return msg("image_serial_ports_exceed", image=image, flavor=flavor)
    return None


def cpu_topology(props, _flavor, specs):
    """ImageVCPULimitsRangeExceeded / ImageVCPUTopologyRangeExceeded."""
    for part in CPU_PARTS:
        flavor_max = _int(specs.get(f"hw:cpu_max_{part}"))
        image_max = _int(props.get(f"hw_cpu_max_{part}"))
        wanted = _int(props.get(f"hw_cpu_{part}"))
        if flavor_max and image_max and image_max > flavor_max:
            return msg("image_cpu_max_exceeds", part=part, image=image_max, flavor=flavor_max)
        limit = image_max or flavor_max
        if limit and wanted and wanted > limit:
            return msg("image_cpu_exceeds_max", part=part, image=wanted, limit=limit)
    return None


def mem_page_size(props, _flavor, specs):
    """MemoryPageSizeForbidden: the image asks for a page size the flavor does not allow."""
    image = props.get("hw_mem_page_size")
    if not image:
        return None
    flavor = specs.get("hw:mem_page_size")
    if flavor not in ("any", "large"):
        return msg("image_page_size_forbidden", image=image, flavor=flavor or "")
    return None


RULES = (min_ram, config_drive, serial_ports, cpu_topology, mem_page_size)
SPEC_RULES = (serial_ports, cpu_topology, mem_page_size)


def needs_extra_specs(props):
    """Whether a rule must see the flavor's extra specs (one Nova call)."""
    return any(props.get(key) not in (None, "") for key in SPEC_PROPS)


def refusals(props, flavor, extra_specs=None):
    """The Messages of every rule Nova would refuse this image and flavor with.

    ``extra_specs`` None: not known (Nova did not give them); the rules that
    need them are left to Nova rather than refuse on a guess.
    """
    rules = RULES if extra_specs is not None else tuple(r for r in RULES if r not in SPEC_RULES)
    found = (rule(props, flavor, extra_specs or {}) for rule in rules)
    return [m for m in found if m is not None]


def relevant_props(image):
    """The properties these rules read, from a Glance image (strings)."""
    props = getattr(image, "properties", None) or {}
    keep = {key: str(props[key]) for key in SPEC_PROPS + ("img_config_drive",) if key in props}
    keep["min_ram"] = int(getattr(image, "min_ram", 0) or 0)
    return keep
