"""Does a whole launch fit the project's quotas? (plain Python)"""

from lightbits_dashboard.message import msg

UNLIMITED = (None, -1, float("inf"))


def launch_needs(count, vcpus, ram_mb, volume_gib, volume_type):
    """The quota each resource of a launch of ``count`` instances consumes."""
    return {
        "instances": count,
        "cores": vcpus * count,
        "ram": ram_mb * count,
        "volumes": count,
        "gigabytes": volume_gib * count,
        f"volumes_{volume_type}": count,
        f"gigabytes_{volume_type}": volume_gib * count,
    }


def refusals(needs, usage):
    """A Message (code "quota_exceeded") for each quota ``needs`` would exceed.

    ``usage``: quota name -> (limit, in use). A name missing from ``usage``
    or with an unlimited limit (-1, None, inf) is not limited.
    """
    messages = []
    for name, amount in needs.items():
        limit, used = usage.get(name, (None, 0))
        if limit in UNLIMITED or amount <= 0:
            continue
        available = max(int(limit) - int(used or 0), 0)
        if amount > available:
            messages.append(
                msg(
                    "quota_exceeded",
                    name=name,
                    needs=amount,
                    used=used,
                    limit=limit,
                    available=available,
                )
            )
    return messages
