"""The running local cloud as the integration and browser tests see it.

Its facts come from devcloud's facts file (.devcloud/cloud.json, or
$DEVCLOUD_FACTS), written by ``devcloud/devcloud start``.
"""

import json
import os
import time

import pytest
from cinderclient import client as cinder_client
from glanceclient import client as glance_client
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from neutronclient.v2_0 import client as neutron_client
from novaclient import client as nova_client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLOUD_JSON = os.environ.get("DEVCLOUD_FACTS", os.path.join(ROOT, ".devcloud", "cloud.json"))


def load_facts(path=CLOUD_JSON):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def wait_for(what, check, timeout=120, interval=1.0):
    """Poll check() until it returns something truthy; fail after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def delete_image_and_wait(glance, image_id, timeout=180):
    """Glance refuses (500) while its location import still hashes the volume."""

    def gone():
        try:
            glance.images.delete(image_id)
        except Exception as exc:
            return getattr(exc, "code", None) == 404 or type(exc).__name__ == "HTTPNotFound"
        return False

    wait_for(f"image {image_id} deleted", gone, timeout, interval=2)


class OpenStack:
    """The official clients for one user, on one keystoneauth session."""

    def __init__(self, facts, user, nova_version="2.67", cinder_version="3.60"):
        auth = v3.Password(
            auth_url=facts["auth_url"],
            username=user["username"],
            password=user["password"],
            project_name=user["project"],
            user_domain_id="default",
            project_domain_id="default",
        )
        self.session = ks_session.Session(auth=auth)
        region = facts.get("region", "RegionOne")
        self.nova = nova_client.Client(nova_version, session=self.session, region_name=region)
        self.cinder = cinder_client.Client(
            cinder_version, session=self.session, region_name=region
        )
        self.glance = glance_client.Client("2", session=self.session, region_name=region)
        self.neutron = neutron_client.Client(session=self.session, region_name=region)

    @property
    def project_id(self):
        return self.session.get_project_id()


def glance_hashes_locations(cloud):
    """Glance 29 (2024.2) on hashes a location Cinder registers through its
    new location API (image API 2.17); Glance 28 (2024.1) takes the location
    in the image PATCH and never hashes it."""
    return cloud.get("release", "2026.2") != "2024.1"


def lightos_copies_provider_id(cloud):
    """Cinder's _clone_image_volume copies the source's provider_id, which the
    LightOS driver of 2024.2 on names its Lightbits volume by: deleting a
    failed clone then deletes the source's data. The 2024.1 driver does not
    use provider_id (it names volumes volume-<id>)."""
    return cloud.get("release", "2026.2") != "2024.1"
