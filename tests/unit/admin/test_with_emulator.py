"""The admin page with the real Lightbits client against the emulator
(Glance, Cinder and Keystone mocked with Horizon's helpers)."""

import requests
from django.test import override_settings
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import inventory as inv
from lightbits_emulator.testing import run_emulator
from tests.unit import factories
from tests.unit.admin import fakes
from tests.unit.admin.test_views import CACHES, INDEX, LIST_MOCKS, _PanelTest, clear_caches


class EmulatorPageTests(_PanelTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._emu_cm = run_emulator(memory=True, nodes=3)
        cls.emu = cls._emu_cm.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._emu_cm.__exit__(None, None, None)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.emu.reset()
        clear_caches()
        settings = {
            "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
            "SERVICE_PROJECTS": [factories.SERVICE],
            "CLUSTERS": {
                "lightbits": {
                    # The first address has nothing listening: failover.
                    "api_endpoints": [f"127.0.0.2:{self.emu.port}", f"127.0.0.1:{self.emu.port}"],
                    "jwt": self.emu.admin_jwt,
                    "ca_file": self.emu.ca_file,
                    "timeout": 5,
                }
            },
        }
        override = override_settings(LIGHTBITS_DASHBOARD=settings, CACHES=CACHES)
        override.enable()
        self.addCleanup(override.disable)

    def create(self, cinder_volume):
        resp = requests.post(
            f"{self.emu.base_url}/api/v2/projects/default/volumes",
            json={
                "name": "volume-" + cinder_volume.id,
                "size": "1 GiB",
                "replicaCount": 3,
                "acl": {"values": ["ALLOW_NONE"]},
            },
            headers={"Authorization": f"Bearer {self.emu.admin_jwt}"},
            verify=self.emu.ca_file,
            timeout=5,
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    def mock_lists(self, images, volumes):
        self.mock_image_list_all.return_value = images
        self.mock_store_list_detail.return_value = fakes.stores()
        self.mock_volume_list.return_value = volumes
        self.mock_volume_type_list.return_value = fakes.volume_types()
        self.mock_tenant_list.return_value = ([], False)

    @test.create_mocks(LIST_MOCKS)
    def test_chain_and_health_from_the_emulator(self):
        img = factories.image(name="served-image")
        ivol = factories.image_volume(img)
        boot = factories.volume(name="boot")
        lb_image_volume = self.create(ivol)
        self.create(boot)
        self.mock_lists([img], [ivol, boot])
        self.emu.node_down(self.emu.nodes()[0]["name"])
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        content = res.content.decode()
        self.assertIn(lb_image_volume["UUID"], content)
        counts = {c: n for c, _l, n, _t in res.context["finding_counts"]}
        # Every volume has a replica on the node that went down.
        self.assertEqual(counts[inv.LIGHTBITS_DEGRADED], 2)
        self.assertEqual(counts[inv.LIGHTBITS_MISSING], 0)
        self.assertIn("1 node not active", content)
        self.assert_no_token(res)

    @test.create_mocks(LIST_MOCKS)
    def test_cluster_refusing_every_call(self):
        img = factories.image()
        ivol = factories.image_volume(img)
        self.create(ivol)
        self.mock_lists([img], [ivol])
        self.emu.inject_fault("drop", path="/api/v2/")
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        self.assertIn("unknown", res.content.decode())
        self.assertMessageCount(res, warning=1)
        self.assert_no_token(res)
