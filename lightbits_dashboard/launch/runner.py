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

"""Drive a launch in a background thread of the Horizon process.

Closing the browser does not stop a launch. Liveness is a heartbeat in a
shared key/value store (Django's cache in Horizon): a launch whose
heartbeat is gone (Horizon restarted) shows as interrupted.
"""

import logging
import threading

LOG = logging.getLogger(__name__)


def heartbeat_ttl(poll_interval):
    """Seconds a launch's heartbeat lives: a launch whose driver died shows
    "Interrupted" at most this long after its last beat."""
    return max(60, 10 * poll_interval)


class Heartbeat:
    """``store`` needs set(key, value, timeout), get_many(keys), delete(key)."""

    PREFIX = "lightbits-launch-alive:"

    def __init__(self, store, ttl):
        self.store, self.ttl = store, ttl

    def beat(self, key):
        self.store.set(self.PREFIX + key, True, self.ttl)

    def stop(self, key):
        self.store.delete(self.PREFIX + key)

    def alive(self, keys):
        """The subset of ``keys`` whose driver is alive."""
        found = self.store.get_many([self.PREFIX + k for k in keys])
        return {k for k in keys if found.get(self.PREFIX + k)}


def start(heartbeat, key, work, *args):
    """Run ``work(*args)`` in a daemon thread that keeps ``key`` alive.

    The first beat happens before returning, so the launch never looks
    interrupted while its thread starts.
    """
    heartbeat.beat(key)

    def main():
        try:
            work(*args)
        except Exception:
            LOG.exception("Lightbits launch driver %s failed", key)
        finally:
            heartbeat.stop(key)

    thread = threading.Thread(target=main, name=f"lightbits-launch-{key}", daemon=True)
    thread.start()
    return thread
