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

from django.urls import re_path

from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import convert, probe, views

_ID = r"(?P<%s>[0-9a-fA-F-]{36})"

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(r"^inventory-status/$", views.InventoryStatusView.as_view(), name="inventory_status"),
    re_path(r"^images/%s/$" % (_ID % "image_id"), views.DetailView.as_view(), name="detail"),
    re_path(r"^images/%s/copy/$" % (_ID % "image_id"), views.CopyView.as_view(), name="copy"),
    re_path(r"^images/%s/probe/$" % (_ID % "image_id"), probe.ProbeView.as_view(), name="probe"),
    re_path(
        r"^images/%s/convert/$" % (_ID % "image_id"),
        convert.AdminMakeFastClonableView.as_view(),
        name="convert",
    ),
    re_path(
        r"^volumes/%s/make-read-only/$" % (_ID % "volume_id"),
        views.MakeReadOnlyView.as_view(),
        name="make_read_only",
    ),
    re_path(
        r"^volumes/%s/delete-orphan/$" % (_ID % "volume_id"),
        views.DeleteOrphanView.as_view(),
        name="delete_orphan",
    ),
]
