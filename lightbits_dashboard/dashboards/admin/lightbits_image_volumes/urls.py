from django.urls import re_path

from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import convert, probe, views

_ID = r"(?P<%s>[0-9a-fA-F-]{36})"

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
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
