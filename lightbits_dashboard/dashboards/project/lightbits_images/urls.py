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

from django.urls import include, re_path

from lightbits_dashboard.dashboards.project.lightbits_images import views
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    urls as conversion_urls,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launches import urls as launch_urls

IMAGE = r"(?P<image_id>[^/]+)"

# The sub-pages' URL names stay the panel's own (no namespace of their own);
# their paths come before the detail page's, which matches any single segment.
urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(r"^", include(launch_urls)),
    re_path(r"^", include(conversion_urls)),
    re_path(rf"^{IMAGE}/$", views.DetailView.as_view(), name="detail"),
]
