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

"""A multi-instance launch's summary, cut to fit Cinder's metadata, made
whole again from the launch's rows (plain Python).

``record.encode_message`` keeps what fits of "2 of 5 launched; vm-3 failed:
... ; vm-4 failed: ..." in the 255 characters of a metadata value (the
clouds' own words cut, the last failures dropped). Each failed instance's
own row still holds its whole error (its boot volume's record while it is
rolled back, then the failure log), so the Launches page rebuilds the
summary from the rows while they hold every instance of the launch.
"""

from lightbits_dashboard.launch import record
from lightbits_dashboard.launch.orchestrator import Outcome, summarize


class _Named:
    def __init__(self, server_name):
        self.server_name = server_name


def rebuild_cut(rows):
    """``rows`` (with launch_id, index, count, state, message, error,
    server_name, record), each ACTIVE row whose summary was cut given the
    whole summary when the launch's rows hold every one of its instances
    (none dismissed); other rows as they are."""
    launches = {}
    for row in rows:
        if row.launch_id:
            launches.setdefault(row.launch_id, []).append(row)
    for group in launches.values():
        cut = [r for r in group if r.state == record.ACTIVE and record.was_cut(r.message)]
        if not cut or len({r.index for r in group}) != cut[0].count:
            continue
        outcomes = [
            Outcome(
                r.record or _Named(r.server_name),
                r.state == record.ACTIVE,
                error=r.error or r.message,
            )
            for r in sorted(group, key=lambda r: r.index)
        ]
        whole = summarize(outcomes)
        for row in cut:
            row.message = whole
    return rows
