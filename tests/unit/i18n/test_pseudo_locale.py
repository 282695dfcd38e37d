"""Every text the plugin shows is translatable: the pages under a pseudo locale.

The locale is generated from lightbits_dashboard/locale/django.pot at test
time (tests/unit/i18n/pseudo.py): every msgid of ours shows as "⟦…⟧",
Horizon's own chrome as "⟪…⟫". A visible text of the plugin's content area
that holds words outside both, apart from data (names, ids, sizes,
numbers), is text that never reached gettext or the catalog.

To check another page, add one test method calling ``self.check(url)``.
"""

from django.core.cache import cache
from django.urls import reverse
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.dashboards.project.lightbits_images.launches.failures import (
    LaunchFailureLog,
)
from lightbits_dashboard.launch import record
from lightbits_dashboard.message import msg
from tests.unit import factories
from tests.unit.i18n import pseudo

MOCKS = {
    api.glance: ("image_get", "image_list_detailed"),
    api.cinder: ("volume_type_list", "volume_list", "volume_list_paged"),
    api.nova: ("availability_zone_list", "flavor_list", "keypair_list", "server_list"),
    api.neutron: ("network_list_for_tenant", "security_group_list"),
    lb_cinder: ("quota_usage",),
}
SPEC = record.ServerSpec(flavor="f1", networks=("n1",))
URL = "horizon:project:lightbits_images:"


def launch_volume(server_name, state, message=None, **extra):
    rec = record.LaunchRecord("L1", "web", 1, 3, server_name, "img-1", state, SPEC, **extra)
    rec = rec.with_(message=message)
    status = {"cloning": "creating", "error": "error"}.get(state, "in-use")
    return factories.volume(f"{server_name}-boot", status=status, metadata=record.encode(rec))


class PseudoLocaleTests(pseudo.PseudoLocale, test.TestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.fast = factories.image(name="fast-img", virtual_size=10 * factories.GIB)
        self.copy = factories.image(name="qcow-img", disk_format="qcow2", owner="other")
        self.image_volume = factories.volume(f"image-{self.fast.id}", metadata={"k": "v"})

    def _mock_cloud(self):
        images = [self.fast, self.copy]
        self.mock_image_get.side_effect = lambda request, image_id: next(
            i for i in images if i.id == image_id
        )
        self.mock_image_list_detailed.return_value = (images, False, False)
        self.mock_volume_type_list.return_value = [factories.volume_type("lightbits")]
        self.mock_volume_list.return_value = [self.image_volume] + self.launch_volumes()
        self.mock_volume_list_paged.return_value = (
            self.mock_volume_list.return_value,
            False,
            False,
        )
        self.mock_availability_zone_list.return_value = self.availability_zones.list()
        self.mock_flavor_list.return_value = self.flavors.list()
        self.mock_keypair_list.return_value = self.keypairs.list()
        self.mock_network_list_for_tenant.return_value = self.networks.list()
        self.mock_security_group_list.return_value = self.security_groups.list()
        self.mock_server_list.return_value = ([factories.server("s2", "ERROR", {})], False)
        self.mock_quota_usage.return_value = {}

    def launch_volumes(self):
        """A row for each kind of message a launch leaves."""
        failed = msg(
            "volume_error", volume="web-1-boot", error="No valid backend", no_backend=True
        )
        summary = msg(
            "launched_some",
            launched=1,
            total=3,
            failed=[msg("instance_failed", server="web-1", error=failed)],
        )
        left = msg("clean_up_left", parts=[msg("volume_left_unheld", status="reserved")])
        return [
            launch_volume("web-1", "error", failed),
            launch_volume("web-2", "booting", server_id="s2"),
            launch_volume("web-3", "active", summary, server_id="s3"),
            launch_volume("web-4", "cloning"),  # no heartbeat: interrupted
            launch_volume("web-5", "error", left),
        ]

    def data(self):
        """The data the pages show: names, ids, statuses, formats, stores."""
        found = {"lightbits", "active", "public", "raw", "bare", "qcow2", "RAW/BARE", "QCOW2/BARE"}
        found |= {"db", "ERROR"}  # the failure log's instance; Nova's own status
        for obj in (
            [self.fast, self.copy, self.image_volume]
            + self.launch_volumes()
            + self.flavors.list()
            + self.keypairs.list()
            + self.networks.list()
            + self.security_groups.list()
            + self.availability_zones.list()
        ):
            for attr in ("id", "name", "zoneName", "status", "owner", "volume_type"):
                value = getattr(obj, attr, None)
                if isinstance(value, str) and value:
                    found.add(value)
            properties = getattr(obj, "properties", None) or {}
            for key, value in {**(getattr(obj, "metadata", None) or {}), **properties}.items():
                found.update({key, str(value)})
        return found

    @test.create_mocks(MOCKS)
    def check(self, url, ajax=False):
        """One page under the pseudo locale: its content area (a modal: all of it)."""
        self._mock_cloud()
        res = self.get_pseudo(url, ajax=ajax)
        return self.assert_translated(res, self.data(), None if ajax else "main_content")

    def test_the_catalog_holds_the_plugins_messages(self):
        self.assertGreater(self.catalog_size, 200)

    def test_images_index(self):
        page = self.check(reverse(URL + "index"))
        self.assertIn(
            'title="\u27e6image is qcow2/bare, not raw/bare\u27e7">\u27e6Copy: qcow2\u27e7', page
        )

    def test_image_details(self):
        self.check(reverse(URL + "detail", args=[self.fast.id]))

    def test_image_details_copy(self):
        self.check(reverse(URL + "detail", args=[self.copy.id]))

    def test_launch_workflow(self):
        self.check(reverse(URL + "launch", args=[self.copy.id]), ajax=True)

    def test_launch_workflow_any_image(self):
        self.check(reverse(URL + "launch_any"), ajax=True)

    def test_launches(self):
        LaunchFailureLog().add("1", _failed_outcome(), None)
        page = self.check(reverse(URL + "launches"))
        self.assertIn("\u27e6The launch stopped before", page)


def _failed_outcome():
    from lightbits_dashboard.launch.orchestrator import Outcome

    rec = record.LaunchRecord("L2", "db", 1, 1, "db", "img-1", record.ERROR, SPEC)
    return Outcome(rec, False, "vol-gone", None, msg("server_timeout", timeout=600))
