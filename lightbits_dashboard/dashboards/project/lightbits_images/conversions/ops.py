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

"""The conversion engine's cloud operations (convert.client_ops) as the user
of a request."""

from openstack_dashboard import api

from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.convert import client_ops

CINDER_VERSION = "3.1"  # visibility and protected in os-volume_upload_image


def ops(request):
    return client_ops.ClientCloudOps(
        api.cinder.cinderclient(request, version=CINDER_VERSION),
        api.glance.glanceclient(request),
        request.user.project_id,
        error_message=lambda volume_id: lb_cinder.volume_error_message(request, volume_id),
    )
