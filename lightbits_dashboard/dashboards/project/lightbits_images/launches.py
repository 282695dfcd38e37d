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

"""Horizon side of launches, one module per job (this one names them for the
views, tables and workflow):

* launch_ops: the engine's cloud operations over openstack_dashboard.api;
* launch_driver: the background driver, its heartbeat and start_launch;
* launch_failures: rolled-back instances kept in the shared cache;
* launch_rows: the Launches table's rows, a page at a time;
* launch_actions: finish, clean up, dismiss.

The launch record lives in the boot volumes' metadata, liveness in Django's
cache. Several Horizon processes need a cache they share (memcached, redis),
as Horizon's sessions and caching already recommend.
"""

from lightbits_dashboard.api import cinder as lb_cinder  # noqa: F401
from lightbits_dashboard.dashboards.project.lightbits_images.launch_actions import (  # noqa: F401
    clean_up,
    dismiss,
    finish,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launch_driver import (  # noqa: F401
    REQUESTED_WAIT,
    cluster_down_message,
    heartbeat,
    make_launcher,
    new_launch_id,
    start_launch,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launch_failures import (  # noqa: F401
    FAILED_PREFIX,
    FailureLog,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launch_ops import (  # noqa: F401
    HorizonCloudOps,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launch_rows import (  # noqa: F401
    LaunchRow,
    launch_page,
    launch_row,
)
