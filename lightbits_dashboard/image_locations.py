"""Where a Glance image's data lives: its stores and cinder:// locations.

Plain Python shared by both panels. Images are API objects or dicts with
Glance's field names.
"""

import re

from lightbits_dashboard.clone_path import field

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# cinder://<volume id> (single store) or cinder://<store id>/<volume id> (multi-store).
_CINDER_URL = re.compile(r"^cinder://(?:([^/]+)/)?([^/]+)/?$")


def image_stores(image):
    """The store ids in the image's ``stores`` field (comma-separated)."""
    return [s.strip() for s in (field(image, "stores", "") or "").split(",") if s.strip()]


def cinder_locations(image):
    """[(store or None, volume id)] from the image's visible cinder:// locations."""
    urls = [field(loc, "url", "") for loc in field(image, "locations", []) or []]
    direct = field(image, "direct_url")
    if direct:
        urls.append(direct)
    found = []
    for url in urls:
        match = _CINDER_URL.match(url or "")
        if match and (match.group(1), match.group(2)) not in found:
            found.append((match.group(1), match.group(2)))
    return found
