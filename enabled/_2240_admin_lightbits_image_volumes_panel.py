# Admin > Volume > Lightbits Image Volumes.
PANEL = "lightbits_image_volumes"
PANEL_DASHBOARD = "admin"
PANEL_GROUP = "volume"
ADD_PANEL = (
    "lightbits_dashboard.dashboards.admin.lightbits_image_volumes.panel.LightbitsImageVolumes"
)
