"""The Horizon side of a launch: api wrappers, HorizonCloudOps, and a whole
launch driven through them with mocked OpenStack calls."""

import time
from unittest import mock

from cinderclient.v3 import quotas
from django.core.cache import cache
from novaclient import exceptions as nova_exc
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import nova as lb_nova
from lightbits_dashboard.dashboards.project.lightbits_images import jobs
from lightbits_dashboard.dashboards.project.lightbits_images.launches import (
    driver as launch_driver,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launches import ops as launch_ops
from lightbits_dashboard.launch import orchestrator, record
from tests.unit import factories

BDM = [
    {
        "source_type": "volume",
        "destination_type": "volume",
        "uuid": "vol-1",
        "boot_index": 0,
        "delete_on_termination": True,
    }
]


class NotFound(Exception):
    code = 404


class ApiWrapperTests(test.TestCase):
    def setUp(self):
        super().setUp()
        self.request.user = mock.Mock(project_id="1")

    @mock.patch.object(api.nova, "server_create")
    def test_boot_with_networks_uses_horizons_server_create(self, server_create):
        server_create.return_value = mock.Mock(id="srv-1")
        server_id = lb_nova.boot_from_volume(
            self.request, "vm", "f1", "vol-1", network_ids=("n1",), security_groups=("sg",)
        )
        self.assertEqual("srv-1", server_id)
        args, kwargs = server_create.call_args
        self.assertEqual((self.request, "vm", None, "f1"), args[:4])  # image None: no imageRef
        self.assertEqual(BDM, kwargs["block_device_mapping_v2"])
        self.assertEqual([{"net-id": "n1"}], kwargs["nics"])

    @mock.patch.object(api.nova, "get_microversion", return_value="2.60")
    @mock.patch.object(lb_nova._nova, "novaclient")
    def test_boot_without_networks_passes_none_with_microversion(self, novaclient, _mv):
        novaclient.return_value.servers.create.return_value = mock.Mock(id="srv-2")
        server_id = lb_nova.boot_from_volume(self.request, "vm", "f1", "vol-1")
        self.assertEqual("srv-2", server_id)
        novaclient.assert_called_once_with(self.request, version="2.60")
        kwargs = novaclient.return_value.servers.create.call_args.kwargs
        self.assertEqual("none", kwargs["nics"])
        self.assertEqual(BDM, kwargs["block_device_mapping_v2"])

    @mock.patch.object(api.nova, "get_microversion", return_value=None)
    @mock.patch.object(lb_nova._nova, "novaclient")
    def test_boot_without_networks_needs_at_least_2_37(self, novaclient, _mv):
        lb_nova.boot_from_volume(self.request, "vm", "f1", "vol-1")
        novaclient.assert_called_once_with(self.request, version="2.37")

    @mock.patch.object(api.cinder, "cinderclient")
    def test_quota_usage_includes_per_type_quotas(self, cinderclient):
        cinderclient.return_value.quotas.get.return_value = quotas.QuotaSet(
            None,
            {
                "id": "1",
                "volumes": {"limit": 10, "in_use": 2, "reserved": 1},
                "gigabytes_lightbits": {"limit": 100, "in_use": 40, "reserved": 0},
                "volumes_lightbits": {"limit": -1, "in_use": 3, "reserved": 0},
            },
        )
        usage = lb_cinder.quota_usage(self.request)
        self.assertEqual((10, 3), usage["volumes"])
        self.assertEqual((100, 40), usage["gigabytes_lightbits"])
        self.assertEqual((-1, 3), usage["volumes_lightbits"])
        cinderclient.return_value.quotas.get.assert_called_once_with("1", usage=True)

    @mock.patch.object(api.cinder, "cinderclient")
    def test_volume_get_raw_returns_none_when_gone(self, cinderclient):
        cinderclient.return_value.volumes.get.side_effect = NotFound()
        self.assertIsNone(lb_cinder.volume_get_raw(self.request, "x"))

    @mock.patch.object(api.cinder, "cinderclient")
    def test_volume_error_message_is_cinders_newest_user_message(self, cinderclient):
        cinderclient.return_value.messages.list.return_value = [
            mock.Mock(created_at="2026-01-01", user_message="old"),
            mock.Mock(created_at="2026-01-02", user_message="create volume from image: failed"),
        ]
        self.assertEqual(
            "create volume from image: failed", lb_cinder.volume_error_message(self.request, "v")
        )
        cinderclient.assert_called_once_with(self.request, version="3.3")


class CloudOpsTests(test.TestCase):
    @mock.patch.object(api.nova, "server_get")
    def test_a_deleted_server_is_none_and_other_errors_raise(self, server_get):
        """Rollback waits for get_server to say None: Nova's 404 must be it."""
        ops = launch_ops.HorizonCloudOps(self.request)
        server_get.side_effect = nova_exc.NotFound(404)
        self.assertIsNone(ops.get_server("s1"))
        server_get.side_effect = nova_exc.ClientException(500)
        with self.assertRaises(nova_exc.ClientException):
            ops.get_server("s1")
        server_get.side_effect = None
        server_get.return_value = factories.server("s1", "ERROR", {"message": "No valid host"})
        self.assertEqual(orchestrator.ServerState("ERROR", "No valid host"), ops.get_server("s1"))


class WholeLaunchTests(test.TestCase):
    """A launch from the workflow's plan to ACTIVE, through HorizonCloudOps."""

    def setUp(self):
        super().setUp()
        cache.clear()
        shared_cache.clear_local()
        self.request.user = mock.Mock(project_id="1")

    @mock.patch.object(api.nova, "server_list", return_value=([], False))
    @mock.patch.object(lb_nova, "server_delete")
    @mock.patch.object(api.nova, "server_get")
    @mock.patch.object(lb_nova, "boot_from_volume")
    @mock.patch.object(api.cinder, "volume_delete_metadata")
    @mock.patch.object(api.cinder, "volume_set_metadata")
    @mock.patch.object(lb_cinder, "volume_get_raw")
    @mock.patch.object(api.cinder, "volume_create")
    def test_launch_two_instances(
        self, create, get_raw, set_md, del_md, boot, server_get, server_delete, server_list
    ):
        volumes = {}

        def volume_create(request, size, name, description, volume_type, **kwargs):
            time.sleep(0.2)  # Cinder takes a moment to accept a volume
            volume = factories.raw_volume(name, status="available", metadata=kwargs["metadata"])
            volumes[volume.id] = volume
            return volume

        create.side_effect = volume_create
        get_raw.side_effect = lambda request, volume_id: volumes.get(volume_id)
        boot.side_effect = lambda request, name, flavor, volume_id, **kw: f"srv-{name}"
        server_get.side_effect = lambda request, server_id: factories.server(server_id)
        plan = orchestrator.LaunchPlan(
            name="web",
            count=2,
            image_id="img-1",
            volume_size=10,
            volume_type="lightbits",
            spec=record.ServerSpec(flavor="f1", networks=("n1",), delete_on_terminate=True),
            launch_id="L9",
        )
        thread = launch_driver.start_launch(self.request, plan)
        # returns once Cinder has both boot volumes: the next page lists them
        self.assertEqual(2, create.call_count)
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual({"web-1-boot", "web-2-boot"}, {c.args[2] for c in create.call_args_list})
        for call in create.call_args_list:
            self.assertEqual((10, "lightbits"), (call.args[1], call.args[4]))
            self.assertEqual("img-1", call.kwargs["image_id"])
            self.assertEqual("L9", call.kwargs["metadata"]["lightbits_launch_id"])
        self.assertEqual({"web-1", "web-2"}, {c.args[1] for c in boot.call_args_list})
        for call in boot.call_args_list:
            self.assertEqual(("n1",), call.kwargs["network_ids"])
            # the server is marked with its boot volume: found even if its id is lost
            self.assertEqual({record.SERVER_MARK: call.args[3]}, call.kwargs["meta"])
            self.assertTrue(call.kwargs["delete_on_termination"])
        states = [c.args[2].get("lightbits_launch_state") for c in set_md.call_args_list]
        self.assertEqual(2, states.count("active"))
        server_delete.assert_not_called()
        self.assertEqual(set(), jobs.heartbeat().alive(["L9"]))


class FindServerTests(test.TestCase):
    """A server whose id never reached the launch record is still found."""

    @mock.patch.object(api.nova, "server_list")
    @mock.patch.object(lb_cinder, "volume_get_raw")
    def test_by_name_and_boot_volume_mark_when_not_attached(self, get_raw, server_list):
        get_raw.return_value = factories.raw_volume("vm-boot", volume_id="v1", status="reserved")
        mark = {record.SERVER_MARK: "v1"}
        server_list.return_value = (
            [
                factories.server(
                    "other", "ERROR", name="vm.1", metadata={record.SERVER_MARK: "v2"}
                ),
                factories.server("s1", "ERROR", name="vm.1", metadata=mark),
            ],
            False,
        )
        ops = launch_ops.HorizonCloudOps(self.request)
        self.assertEqual("s1", ops.find_server("v1", "vm.1"))
        server_list.assert_called_once_with(test.IsHttpRequest(), search_opts={"name": "^vm\\.1$"})

    @mock.patch.object(api.nova, "server_list")
    @mock.patch.object(lb_cinder, "volume_get_raw")
    def test_by_attachment_first(self, get_raw, server_list):
        get_raw.return_value = factories.raw_volume(
            "vm-boot", volume_id="v1", status="in-use", attachments=[{"server_id": "s7"}]
        )
        self.assertEqual("s7", launch_ops.HorizonCloudOps(self.request).find_server("v1", "vm"))
        server_list.assert_not_called()
