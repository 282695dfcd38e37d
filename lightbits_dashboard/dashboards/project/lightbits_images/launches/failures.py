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

import time

from lightbits_dashboard.dashboards.project.lightbits_images import jobs
from lightbits_dashboard.message import Message

FAILED_PREFIX = "failed-"


class LaunchFailureLog(jobs.FailureLog):
    """Rolled-back instances per project, by row id (FAILED_PREFIX...)."""

    @staticmethod
    def _key(project_id):
        return f"lightbits-launch-failed:{project_id}"

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
        self.put(project_id, self.row_id(rec), entry)


def message_data(message):
    return message.to_data() if isinstance(message, Message) else message
