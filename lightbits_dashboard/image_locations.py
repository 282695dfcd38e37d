"""Moved to lightbits_dashboard.model; kept for inventory.py until the admin
panel's rewrite imports model (issue 13)."""

from lightbits_dashboard.model import UUID, cinder_locations, image_stores  # noqa: F401
