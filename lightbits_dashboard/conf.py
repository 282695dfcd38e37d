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

"""The plugin's settings: one dict in Horizon's local_settings, with defaults.

    LIGHTBITS_DASHBOARD = {
        "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
        "CLUSTERS": {"lightbits": {"api_endpoints": ["10.0.0.5:443"],
                                   "jwt_file": "/etc/lightbits/admin.jwt",
                                   "ca_file": "/etc/lightbits/ca.pem"}},
    }

Only the keys given are overridden; see DEFAULTS for what each one means.
"""

import copy

DEFAULTS = {
    # Glance store id -> the Cinder volume types whose backend is the
    # Lightbits cluster holding that store's image volumes. A boot volume of
    # one of these types is a block-level clone of the image volume.
    "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
    # Launch workflow.
    "LAUNCH_MAX_COUNT": 10,  # instances one launch may create
    "LAUNCH_CLONE_TIMEOUT": 300,  # seconds a boot volume may take to become available
    "LAUNCH_BOOT_TIMEOUT": 600,  # seconds a server may take to become ACTIVE
    "LAUNCH_POLL_INTERVAL": 2,  # seconds between status polls
    # seconds between polls of a boot volume being made: a copy shows as a
    # "downloading" phase, which must not slip between two polls
    "LAUNCH_VOLUME_POLL_INTERVAL": 0.5,
    # the Launch workflow's "Require fast clone" ticked by default: an
    # instance whose boot volume Cinder starts copying is stopped
    "REQUIRE_FAST_CLONE": False,
    # seconds a failed launch waits for Cinder/Nova to allow deleting what it made
    "LAUNCH_CLEANUP_TIMEOUT": 120,
    "DELETE_ON_TERMINATE_DEFAULT": True,
    # Make fast-clonable: the raw copy's name is the source's name + this suffix;
    # seconds each of its waits (the copy, the upload) may take.
    "CONVERT_NAME_SUFFIX": "-raw",
    "CONVERT_TIMEOUT": 1800,
    # Cinder volume_backend_name -> Lightbits cluster. Each cluster:
    #   api_endpoints: ["host:port", ...] tried in order (failover)
    #   jwt or jwt_file: the cluster-admin JWT (never shown anywhere)
    #   ca_file: CA bundle for TLS verification; verify: False turns it off
    #   timeout: seconds per HTTP request
    #   volume_types: the Cinder volume types on this backend; with them the
    #     project panel and the launch say when the cluster does not answer
    #     (project members cannot read a type's volume_backend_name)
    "CLUSTERS": {},
    # Seconds the admin panel keeps a cluster's volume list (and a failed try).
    "CLUSTER_CACHE_SECONDS": 15,
    # Seconds the admin panel shows its whole-cloud inventory (findings,
    # counts, filters) before the next view rebuilds it; Refresh and the
    # panel's own actions rebuild it at once.
    "INVENTORY_MAX_AGE": 300,
    # Seconds the view that starts an inventory build waits for it before
    # showing the previous inventory, or "being built" when there is none
    # (the page then reloads itself when ready).
    "INVENTORY_BUILD_WAIT": 0.5,
    # Build the inventory in a child process of Horizon's (its interpreter
    # beside its site-packages) when the plugin's cache is shared between
    # processes (memcached, database, files); False, or a local-memory
    # cache: in a background thread of the Horizon process that serves the view.
    "INVENTORY_BUILD_PROCESS": True,
    # Seconds the project panel's pages may show Cinder's admin-only facts
    # (its pools' and services' verdict on the Lightbits backends, the
    # encrypted volume types) from the shared cache; a launch asks Cinder anew.
    "CLOUD_FACTS_MAX_AGE": 60,
    # Seconds a cluster request may wait for an answer (a cluster's own
    # "timeout" overrides it): the first page view after a cluster hangs
    # waits this long per endpoint, later views use the remembered failure.
    "CLUSTER_TIMEOUT": 3,
    # Django cache alias the plugin keeps launch liveness, the failure log
    # and cluster lists in. None: "lightbits_dashboard" when CACHES has it,
    # else "default". A local-memory backend is replaced by the plugin's own
    # local-memory cache, so Horizon's other entries never cull the plugin's.
    "CACHE_ALIAS": None,
    # Admin panel: projects (ids or names) where image volumes belong
    # (Glance's cinder_store_* project, Cinder's internal tenant). Empty: an
    # image volume in its image owner's project is reported as "in a user
    # project".
    "SERVICE_PROJECTS": [],
    # Admin panel: Cinder's internal tenant (ids or names), owner of the
    # image-volume cache entries, to tell cache entries apart.
    "INTERNAL_PROJECTS": [],
}


def get(name):
    """The value of one plugin setting, from Django settings or DEFAULTS."""
    from django.conf import settings

    configured = getattr(settings, "LIGHTBITS_DASHBOARD", {}) or {}
    if name in configured:
        return configured[name]
    return copy.deepcopy(DEFAULTS[name])
