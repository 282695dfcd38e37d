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

"""What the Launches table shows for one instance of a launch (plain Python)."""

from lightbits_dashboard.launch import record
from lightbits_dashboard.message import msg

INTERRUPTED_MESSAGE = msg("interrupted")


def instance_state(rec, *, alive, volume_status=None, server_status=None, server_fault=""):
    """(state, Message or None): cloning, booting, active, error or interrupted."""
    if rec.state in (record.ACTIVE, record.ERROR):
        return rec.state, rec.message
    if server_status == "ERROR":
        return record.ERROR, msg("server_error", fault=server_fault)
    if volume_status == "error" and not server_status:
        return record.ERROR, msg("volume_in_error")
    if not alive:
        return record.INTERRUPTED, INTERRUPTED_MESSAGE
    return rec.state, None
