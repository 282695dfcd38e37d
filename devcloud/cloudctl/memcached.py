"""Debian's memcached for Horizon's cache and sessions, on loopback only."""

import pwd

from cloudctl import procs, settings

BINARY = "/usr/bin/memcached"


def start():
    port = settings.PORTS["memcached"]
    argv = [BINARY, "-l", settings.HOST, "-p", str(port), "-U", "0", "-m", "64", "-c", "256"]
    # memcached refuses to run as root without -u; Debian runs it as "memcache".
    # It reads no file (its log is the stdout root opened), so the user needs
    # no access to the state directory.
    user = "memcache" if _has_user("memcache") else "nobody"
    procs.spawn("memcached", argv + ["-u", user])


def wait():
    procs.wait_for(
        "memcached",
        lambda: procs.port_open(settings.PORTS["memcached"]),
        timeout=30,
        name="memcached",
    )


def location():
    return f"{settings.HOST}:{settings.PORTS['memcached']}"


def _has_user(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
