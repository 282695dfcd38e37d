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

"""Admin > Volume > Lightbits Image Volumes.

Where each image's data lives (Glance image -> Cinder image volume ->
Lightbits volume -> boot volumes made from it), the store -> volume type ->
backend -> Lightbits cluster chain with each cluster's health, and findings
with fixes (copy-image into a Lightbits store, make an image volume
read-only, delete an orphaned image volume). Logic: lightbits_dashboard.
inventory; data: collect.py; Lightbits: lightbits_dashboard.api.lightbits.

Settings (LIGHTBITS_DASHBOARD in Horizon's local_settings, see conf.py):
CLUSTERS (Cinder volume_backend_name -> api_endpoints, jwt_file or jwt,
ca_file), SERVICE_PROJECTS and INTERNAL_PROJECTS (ids or names),
CLUSTER_CACHE_SECONDS, CLUSTER_TIMEOUT. Each cluster's volume list is cached
in the plugin's cache (lightbits_dashboard.shared_cache), compressed and in
pieces under memcached's 1 MB item limit.
Prefer jwt_file to jwt (api.lightbits also makes Django's error reports
hide setting keys containing "jwt").
"""
