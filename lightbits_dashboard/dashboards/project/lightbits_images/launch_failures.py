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

"""Rolled-back launch instances, remembered in the shared cache for a day
so that their error stays visible on the Launches page."""

import threading
import time

from lightbits_dashboard import shared_cache
from lightbits_dashboard.message import Message

FAILED_PREFIX = "failed-"


class FailureLog:
    """Rolled-back instances per project, kept a day in the cache for the table."""

    TTL = 24 * 3600
    _lock = threading.Lock()

    @staticmethod
    def _key(project_id):
        return f"lightbits-launch-failed:{project_id}"

    def entries(self, project_id):
        return dict(shared_cache.get_cache().get(self._key(project_id)) or {})

    @staticmethod
    def row_id(rec):
        return f"{FAILED_PREFIX}{rec.launch_id}-{rec.index}"

    def add(self, project_id, outcome, summary):
        rec = outcome.record
        entry = {
            "launch_name": rec.name,
            "launch_id": rec.launch_id,
            "index": rec.index,
            "count": rec.count,
            "server_name": rec.server_name,
            "image_id": rec.image_id,
            # the boot volume being rolled back: its row becomes this one
            "rolled_back_volume_id": outcome.volume_id,
            "message": message_data(summary if rec.count > 1 else outcome.error),
            "error": message_data(outcome.error),  # its own (rebuilds a cut summary)
            "time": time.time(),
            "made": (rec.made, rec.made_seconds, rec.expected),  # plain, for the cache
        }
        with self._lock:
            entries = self.entries(project_id)
            entries[self.row_id(rec)] = entry
            shared_cache.get_cache().set(self._key(project_id), entries, self.TTL)

    def remove(self, project_id, row_id):
        with self._lock:
            entries = self.entries(project_id)
            entries.pop(row_id, None)
            shared_cache.get_cache().set(self._key(project_id), entries, self.TTL)


def message_data(message):
    return message.to_data() if isinstance(message, Message) else message
