# Project > Compute > Lightbits Images, and the plugin's Django app.
PANEL = "lightbits_images"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "compute"
ADD_PANEL = "lightbits_dashboard.dashboards.project.lightbits_images.panel.LightbitsImages"
ADD_INSTALLED_APPS = ["lightbits_dashboard"]
AUTO_DISCOVER_STATIC_FILES = True
