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

"""Drive launches in a background thread of the Horizon process: the
engine (orchestrator.Launcher) wired to Horizon, its heartbeat in the
shared cache (jobs) and its failures in the LaunchFailureLog."""

import threading
import uuid

from lightbits_dashboard import conf
from lightbits_dashboard.dashboards.project.lightbits_images import data, jobs
from lightbits_dashboard.dashboards.project.lightbits_images.launches.failures import (
    LaunchFailureLog,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launches.ops import HorizonCloudOps
from lightbits_dashboard.launch import runner
from lightbits_dashboard.launch.orchestrator import Launcher
from lightbits_dashboard.message import msg


def make_launcher(request, key, on_volumes_requested=lambda: None):
    beat = jobs.heartbeat()
    project_id = request.user.project_id

    def on_failure(outcome):
        LaunchFailureLog().add(project_id, outcome, outcome.error)

    def on_outcome(outcome, summary):
        if outcome.ok:
            return
        if outcome.volume_id in outcome.left_behind:
            # the volume stays, marked failed: its own row shows the error
            LaunchFailureLog().remove(project_id, LaunchFailureLog.row_id(outcome.record))
        else:
            LaunchFailureLog().add(project_id, outcome, summary)

    return Launcher(
        HorizonCloudOps(request),
        clone_timeout=conf.get("LAUNCH_CLONE_TIMEOUT"),
        boot_timeout=conf.get("LAUNCH_BOOT_TIMEOUT"),
        cleanup_timeout=conf.get("LAUNCH_CLEANUP_TIMEOUT"),
        poll_interval=conf.get("LAUNCH_POLL_INTERVAL"),
        volume_poll_interval=min(
            conf.get("LAUNCH_POLL_INTERVAL"), conf.get("LAUNCH_VOLUME_POLL_INTERVAL")
        ),
        heartbeat=lambda: beat.beat(key),
        on_outcome=on_outcome,
        on_failure=on_failure,
        on_volumes_requested=on_volumes_requested,
        backend_down=lambda volume_type: cluster_down_message(request, volume_type),
    )


def cluster_down_message(request, volume_type):
    """Why a clone on ``volume_type`` cannot finish now (its Lightbits cluster
    does not answer: the plugin's cached probe), a Message, or None."""
    down = data.clusters_down(request, [volume_type])
    if volume_type not in down:
        return None
    return msg("type_down_stopped", type=volume_type, reason=down[volume_type])


def new_launch_id():
    return str(uuid.uuid4())


# Seconds start_launch waits for Cinder to accept the boot volumes.
REQUESTED_WAIT = 5


def start_launch(request, plan):
    """Start driving ``plan`` in the background.

    Returns once Cinder has the boot volumes (a few seconds at most): the
    Launches page shown next lists a launch from its volumes, and its ajax
    only updates rows it already has.
    """
    requested = threading.Event()
    launcher = make_launcher(request, plan.launch_id, on_volumes_requested=requested.set)
    thread = runner.start(jobs.heartbeat(), plan.launch_id, launcher.run, plan)
    requested.wait(REQUESTED_WAIT)
    return thread
