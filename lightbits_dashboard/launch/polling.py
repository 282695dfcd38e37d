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

"""Polling a cloud object until it is ready, shared by the launch and the
conversion engines (plain Python; clock, sleep and heartbeat injected)."""

import logging

from lightbits_dashboard.model import VOLUME_DELETABLE

LOG = logging.getLogger(__name__)


def poll(probe, *, timeout, interval, clock, sleep, heartbeat, fatal, what):
    """Call ``probe`` until it returns a result (returned) or ``timeout``
    seconds pass (None). ``fatal`` exceptions end the wait; any other is a
    transient API error and the poll goes on until the deadline."""
    deadline = clock() + timeout
    while True:
        try:
            result = probe()
        except fatal:
            raise
        except Exception:
            LOG.warning("%s status poll failed; retrying", what, exc_info=True)
            result = None
        if result is not None:
            return result
        if clock() >= deadline:
            return None
        heartbeat()
        sleep(interval)


VOLUME_GOING = ("deleting",)


def volume_deleted_probe(ops, volume_id):
    """A ``poll`` probe that deletes a volume once Cinder allows it (a volume
    still creating or detaching cannot be deleted yet): True once it is gone
    or going, None while it must wait."""

    def probe():
        volume = ops.get_volume(volume_id)
        if volume is None or volume.status in VOLUME_GOING:
            return True
        if volume.status in VOLUME_DELETABLE:
            try:
                ops.delete_volume(volume_id)
            except Exception:
                return None
            return True
        return None

    return probe
