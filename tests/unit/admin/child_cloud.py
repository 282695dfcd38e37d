"""The fake cloud of a test or of tools/bench-admin-page, for the inventory
build's child process (build_process.py): the parent writes it (``write``),
with the settings the child must run with; tests.unit.admin.child_settings
loads those settings and routes the child's HTTP to the same fakes.

The child reports, at its exit, its calls, its build time and the peak of
Python memory it allocated (``report``).
"""

import atexit
import json
import os
import pickle
import time
import tracemalloc
from unittest import mock

import requests

ENV = "LIGHTBITS_TEST_CHILD_CLOUD"
TRACE_ENV = "LIGHTBITS_TEST_CHILD_TRACE"  # "1": trace the child's memory (slows it)
SETTINGS_MODULE = "tests.unit.admin.child_settings"


def write(path, cloud, lightbits, settings):
    """Pickle the fakes and ``settings`` (name -> value) to ``path``; returns
    the environment the child needs (for mock.patch.dict(os.environ, ...))."""
    with open(path, "wb") as f:
        pickle.dump({"cloud": cloud, "lightbits": lightbits}, f)
    with open(path + ".settings", "w") as f:
        json.dump(settings, f)
    return {ENV: path, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE}


def wait_report(path, timeout=120):
    """What the child reported at its exit: {"calls", "seconds" (from its
    first call to its exit), "peak" (bytes, or None: not traced)}."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path + ".report"):
        if time.monotonic() > deadline:
            raise AssertionError("the build process did not report")
        time.sleep(0.05)
    with open(path + ".report") as f:
        return json.load(f)


def forget_report(path):
    """Remove the last child's report (before starting the next one)."""
    if os.path.exists(path + ".report"):
        os.remove(path + ".report")


def settings():
    """The settings the parent wrote, for the child's settings module."""
    with open(os.environ[ENV] + ".settings") as f:
        return json.load(f)


def install():
    """Route this process's HTTP to the fakes (loaded at the first call:
    their classes import Horizon, which needs the settings loaded first)."""
    path = os.environ[ENV]
    fakes = {}

    def request(session, method, url, **kwargs):
        if not fakes:
            from tests.unit.admin.fake_cloud_http import route

            with open(path, "rb") as f:
                fakes.update(pickle.load(f))
            fakes["route"] = route(fakes["cloud"], fakes["lightbits"])
            fakes["started"] = time.perf_counter()  # the build, without loading the fakes
            if os.environ.get(TRACE_ENV) == "1":
                tracemalloc.start()
        return fakes["route"](session, method, url, **kwargs)

    def done():
        calls = sum(fakes["cloud"].calls.values()) + len(fakes["lightbits"].calls) if fakes else 0
        with open(path + ".report.tmp", "w") as f:
            json.dump(
                {
                    "calls": calls,
                    "seconds": time.perf_counter() - fakes["started"] if fakes else 0,
                    "peak": tracemalloc.get_traced_memory()[1]
                    if tracemalloc.is_tracing()
                    else None,
                },
                f,
            )
        os.replace(path + ".report.tmp", path + ".report")  # whole, or not there

    mock.patch.object(requests.Session, "request", request).start()
    atexit.register(done)
