from django.urls import re_path

from lightbits_dashboard.dashboards.project.lightbits_images import convert_views, views

IMAGE = r"(?P<image_id>[^/]+)"
VOLUME = r"(?P<volume_id>[^/]+)"

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(r"^launches/$", views.LaunchesView.as_view(), name="launches"),
    re_path(r"^launch/$", views.LaunchView.as_view(), name="launch_any"),
    re_path(rf"^{IMAGE}/launch/$", views.LaunchView.as_view(), name="launch"),
    re_path(r"^conversions/$", convert_views.ConversionsView.as_view(), name="conversions"),
    re_path(rf"^{IMAGE}/convert/$", convert_views.MakeFastClonableView.as_view(), name="convert"),
    re_path(rf"^{IMAGE}/$", views.DetailView.as_view(), name="detail"),
]
