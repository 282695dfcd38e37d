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

"""Was a boot volume cloned or copied? Told from the statuses a launch polls.

Cinder exposes no "cloned" field. A copy (download, convert, write) sets the
volume's status to ``downloading`` while it writes the image (cinder
``create_volume.py _create_from_image_download``); a clone, a clone of an
image-volume cache entry included, never does. So a launch that polls its
boot volume while it waits knows, with no extra API call, how it was made.

A copy whose ``downloading`` phase is shorter than the volume poll interval
would be taken for a clone: the launch polls its boot volumes every
``LAUNCH_VOLUME_POLL_INTERVAL`` seconds (0.5 by default) to make that
unlikely; the phase grows with the image size.

Plain Python; codes, never English (the panels translate them).
"""

from dataclasses import dataclass

CLONE = "clone"
COPY = "copy"
DOWNLOADING = "downloading"

# The Failure code of an instance stopped by "Require fast clone".
COPY_REFUSED = "copy_refused"

# Likely reasons for a copy from an image whose clone path was Fast clone:
# the conditions of Cinder's clone (volume/flows/manager/create_volume.py,
# _create_from_image and _clone_image_volume) that no API shows.
REASON_DIRECT_URL = "allowed_direct_url_schemes"  # 'cinder' not in Cinder's setting
REASON_HOST_POOL = "host_pool_mismatch"  # boot volume scheduled to another host/pool
REASON_LIGHTOS_PROJECT = "lightos_project"  # the type's lightos:project_name differs
REASON_DRIVER = "driver_failure"  # the driver's clone failed; Cinder logs it at debug
COPY_REASONS = (REASON_DIRECT_URL, REASON_HOST_POOL, REASON_LIGHTOS_PROJECT, REASON_DRIVER)


# Cinder's LightOS driver names a snapshot's Lightbits snapshot
# ``snapshot_name_template % id`` (cinder/volume/drivers/lightos.py
# ``_lightos_snapshotname`` 697-698; the default template "snapshot-%s",
# cinder/db/api.py 90-94)
# and creates a volume from it with that name as its source
# (``create_volume_from_snapshot`` 842-845, ``_create_new_lightos_volume`` 801).
LIGHTOS_SNAPSHOT_NAME = "snapshot-{}"


def made_from_snapshot(lightbits_volume, snapshot_id):
    """CLONE when the Lightbits volume's source is the Cinder snapshot's own
    Lightbits snapshot, COPY when it has no source snapshot, "" when it
    cannot be told (no Lightbits volume seen, or another source)."""
    if not lightbits_volume:
        return ""
    source = lightbits_volume.get("sourceSnapshotName") or ""
    if source == LIGHTOS_SNAPSHOT_NAME.format(snapshot_id):
        return CLONE
    if not source and not lightbits_volume.get("sourceSnapshotUUID"):
        return COPY
    return ""


class Watch:
    """The statuses one boot volume went through while the launch waited.

    ``started`` is the clock when the launch asked Cinder for the volume, or
    None when a re-driven (interrupted) launch did not see it start.
    """

    def __init__(self, started=None):
        self.started = started
        self.first = None
        self.copying = False

    def see(self, status):
        """Note one polled status; True when it shows that Cinder is copying."""
        if self.first is None:
            self.first = status
        if status == DOWNLOADING:
            self.copying = True
        return self.copying

    def result(self, now):
        """(CLONE | COPY | "", seconds or None): "" when it cannot be told.

        A re-driven launch whose first look found the volume already made
        cannot tell how it was made.
        """
        if self.copying:
            kind = COPY
        elif self.started is not None or self.first == "creating":
            kind = CLONE
        else:
            return "", None
        seconds = None if self.started is None else round(max(0.0, now - self.started), 1)
        return kind, seconds


@dataclass(frozen=True)
class Made:
    """How a boot volume was made, as shown on the Launches page."""

    kind: str = ""  # CLONE, COPY or "" (unknown, or not made yet)
    seconds: float | None = None
    expected: str = ""  # what the clone path said before the launch: CLONE, COPY or ""

    @property
    def unexpected_copy(self):
        """A copy from an image the page said would clone: worth a warning."""
        return self.kind == COPY and self.expected == CLONE

    @property
    def reasons(self):
        return COPY_REASONS if self.unexpected_copy else ()


def expected_kind(verdict, fast_clone_verdicts):
    """CLONE when the image's clone path is one of ``fast_clone_verdicts``, else COPY."""
    if not verdict:
        return ""
    return CLONE if verdict in fast_clone_verdicts else COPY
