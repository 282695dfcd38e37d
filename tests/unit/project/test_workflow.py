"""The "Launch from Lightbits image" workflow: GET, validation and POST."""

import re
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from glanceclient import exc as glance_exc
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.dashboards.project.lightbits_images.launches import (
    driver as launch_driver,
)
from lightbits_dashboard.dashboards.project.lightbits_images.launches import workflows
from tests.unit import factories
from tests.unit.english import english

GIB = factories.GIB
MOCKS = {
    api.glance: ("image_get", "image_list_detailed"),
    api.cinder: ("volume_type_list", "volume_list"),
    api.nova: (
        "availability_zone_list",
        "flavor_list",
        "flavor_get_extras",
        "keypair_list",
        "tenant_absolute_limits",
    ),
    api.neutron: ("network_list_for_tenant", "security_group_list"),
    lb_cinder: ("quota_usage",),
    launch_driver: ("start_launch",),
}
WORKFLOW = workflows.LaunchFromImage


def launch_url(image_id=None):
    if image_id is None:
        return reverse("horizon:project:lightbits_images:launch_any")
    return reverse("horizon:project:lightbits_images:launch", args=[image_id])


class LaunchWorkflowTests(test.TestCase):
    def setUp(self):
        super().setUp()
        self.image = factories.image(
            name="ubuntu", owner=factories.PROJECT, virtual_size=10 * GIB, size=1 * GIB
        )
        self.tiny = self.flavors.list()[0]  # disk 0
        self.massive = self.flavors.list()[1]  # disk 1024
        own, shared, foreign = self.networks.list()[:3]
        self.assertEqual((own.tenant_id, shared.shared, foreign.tenant_id), ("1", True, "3"))
        self.own_net, self.shared_net, self.foreign_net = own, shared, foreign

    def _setup(self):
        self.mock_image_get.return_value = self.image
        self.mock_image_list_detailed.return_value = (
            [self.image, factories.image(name="on-file", stores="file")],
            False,
            False,
        )
        self.mock_volume_type_list.return_value = [
            factories.volume_type("lightbits"),
            factories.volume_type("lightbits-ssd"),
            factories.volume_type("ceph"),
        ]
        self.mock_volume_list.return_value = []
        self.mock_availability_zone_list.return_value = self.availability_zones.list()
        self.mock_flavor_list.return_value = self.flavors.list()
        self.mock_keypair_list.return_value = self.keypairs.list()
        # Horizon's own and shared networks of the project
        self.mock_network_list_for_tenant.return_value = [self.own_net, self.shared_net]
        self.mock_security_group_list.return_value = self.security_groups.list()
        self.mock_tenant_absolute_limits.return_value = {
            "maxTotalInstances": 10,
            "totalInstancesUsed": 0,
            "maxTotalCores": 20,
            "totalCoresUsed": 0,
            "maxTotalRAMSize": 51200,
            "totalRAMUsed": 0,
        }
        self.mock_quota_usage.return_value = {
            "volumes": (10, 0),
            "gigabytes": (1000, 0),
            "volumes_lightbits": (-1, 0),
            "gigabytes_lightbits": (-1, 0),
        }

    def _form(self, **overrides):
        form = {
            "name": "vm",
            "availability_zone": "",
            "count": 1,
            "image_id": self.image.id,
            "volume_size": "",
            "volume_type": "lightbits",
            "delete_on_terminate": "on",
            "flavor": self.tiny.id,
            "networks": [self.own_net.id],
            "key_name": "keyName",
            "security_groups": [self.security_groups.first().id],
            "user_data": "#cloud-config\n",
        }
        form.update(overrides)
        return {k: v for k, v in form.items() if v is not None}

    def assertValid(self, res):
        self.assertEqual(302, res.status_code, self._errors(res) if res.context else "")

    def _refused(self, url=None, **overrides):
        """POSTs the form with ``overrides`` (to the image's launch URL unless
        ``url``): it comes back and nothing starts; its errors by step."""
        res = self.client.post(url or launch_url(self.image.id), self._form(**overrides))
        self.assertEqual(200, res.status_code)
        self.mock_start_launch.assert_not_called()
        return self._errors(res)

    def _errors(self, res):
        return {
            step.slug: dict(step.action.errors)
            for step in res.context["workflow"].steps
            if step.action.errors
        }

    # -- GET ------------------------------------------------------------------

    @test.create_mocks(MOCKS)
    def test_the_page_without_the_modal_ends_its_breadcrumb_in_the_workflows_name(self):
        self._setup()
        for url in (launch_url(self.image.id), launch_url()):
            html = self.client.get(url).content.decode()
            crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', html, re.S).group(1)
            last = re.findall(r"<li[^>]*>(.*?)</li>", crumbs, re.S)[-1]
            self.assertEqual("Launch from Lightbits image", last.strip(), url)

    @test.create_mocks(MOCKS)
    def test_get_prefills_the_minimum_size_and_lightbits_types(self):
        self._setup()
        res = self.client.get(launch_url(self.image.id))
        self.assertTemplateUsed(res, WORKFLOW.template_name)
        workflow = res.context["workflow"]
        self.assertEqual(
            [
                "set_details",
                "set_source",
                "set_flavor",
                "set_networks",
                "set_access",
                "set_user_data",
            ],
            [s.slug for s in workflow.steps],
        )
        source = workflow.get_step("set_source").action
        # empty by default (then max(image minimum, flavor disk)); the minimum is shown
        self.assertIsNone(source.fields["volume_size"].initial)
        self.assertEqual(10, source.fields["volume_size"].widget.attrs["placeholder"])
        self.assertIn("At least 10 GiB", str(source.fields["volume_size"].help_text))
        self.assertEqual(
            "Clone path: Fast clone (cannot check from this project's view whether the type "
            "is encrypted).",
            str(source.fields["volume_type"].help_text),
        )
        # only the types mapped to the image's store ("lightbits")
        self.assertEqual(["lightbits"], [c[0] for c in source.fields["volume_type"].choices])
        self.assertTrue(source.fields["delete_on_terminate"].initial)
        self.assertEqual([(self.image.id, "ubuntu")], list(source.fields["image_id"].choices))
        networks = workflow.get_step("set_networks").action.fields["networks"].choices
        offered = {c[0] for c in networks}
        self.assertEqual({self.own_net.id, self.shared_net.id}, offered)
        self.mock_network_list_for_tenant.assert_called_once_with(test.IsHttpRequest(), "1")

    @test.create_mocks(MOCKS)
    def test_modal_renders_every_step(self):
        self._setup()
        res = self.client.get(launch_url(self.image.id), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(200, res.status_code)
        for text in (
            "Launch from Lightbits image",
            "Boot Volume Size (GiB)",
            "Flavor",
            "Networks",
            "Key Pair",
            "Security Groups",
            "User Data",
        ):
            self.assertContains(res, text)

    @test.create_mocks(MOCKS)
    def test_flavors_in_horizons_order_with_their_size(self):
        self._setup()
        res = self.client.get(launch_url(self.image.id))
        flavors = res.context["workflow"].get_step("set_flavor").action.fields["flavor"]
        by_ram = sorted(self.flavors.list(), key=lambda f: f.ram)
        self.assertEqual([""] + [f.id for f in by_ram], [c[0] for c in flavors.choices])
        self.assertEqual("m1.tiny (1 VCPU, 512 MB RAM, 0 GiB disk)", str(flavors.choices[1][1]))

    @test.create_mocks(MOCKS)
    def test_unknown_image_is_404(self):
        self._setup()
        self.mock_image_get.side_effect = glance_exc.HTTPNotFound("gone")
        res = self.client.get(launch_url("no-such-image"))
        self.assertEqual(404, res.status_code)

    @test.create_mocks(MOCKS)
    def test_image_of_another_store_is_404(self):
        self._setup()
        self.mock_image_get.return_value = factories.image(stores="file")
        self.assertEqual(404, self.client.get(launch_url("x")).status_code)

    @test.create_mocks(MOCKS)
    def test_table_action_offers_the_lightbits_images(self):
        self._setup()
        res = self.client.get(launch_url())
        source = res.context["workflow"].get_step("set_source").action
        self.assertEqual(["", self.image.id], [c[0] for c in source.fields["image_id"].choices])

    # -- POST: success -------------------------------------------------------

    @test.create_mocks(MOCKS)
    def test_post_starts_the_launch_with_the_plan(self):
        self._setup()
        res = self.client.post(launch_url(self.image.id), self._form(count=3, volume_size=12))
        self.assertValid(res)
        self.assertRedirectsNoFollow(res, reverse("horizon:project:lightbits_images:launches"))
        self.mock_start_launch.assert_called_once()
        plan = self.mock_start_launch.call_args.args[1]
        self.assertEqual(
            ("vm", 3, self.image.id, 12, "lightbits"),
            (plan.name, plan.count, plan.image_id, plan.volume_size, plan.volume_type),
        )
        self.assertEqual(self.tiny.id, plan.spec.flavor)
        self.assertEqual((self.own_net.id,), plan.spec.networks)
        self.assertEqual("keyName", plan.spec.key_name)
        self.assertTrue(plan.spec.delete_on_terminate)
        self.assertEqual("#cloud-config\n", plan.spec.user_data)
        self.assertEqual((1, 512), (plan.vcpus, plan.ram_mb))

    @test.create_mocks(MOCKS)
    def test_blank_size_uses_the_minimum(self):
        self._setup()
        self.client.post(launch_url(self.image.id), self._form())
        self.assertEqual(10, self.mock_start_launch.call_args.args[1].volume_size)

    @test.create_mocks(MOCKS)
    def test_blank_size_follows_a_larger_flavor_disk(self):
        self._setup()
        self.mock_tenant_absolute_limits.return_value = {}
        self.mock_quota_usage.return_value = {}
        self.client.post(launch_url(self.image.id), self._form(flavor=self.massive.id))
        self.assertEqual(1024, self.mock_start_launch.call_args.args[1].volume_size)

    @test.create_mocks(MOCKS)
    def test_table_action_post_with_chosen_image(self):
        self._setup()
        res = self.client.post(launch_url(), self._form())
        self.assertValid(res)
        self.assertEqual(self.image.id, self.mock_start_launch.call_args.args[1].image_id)

    # -- POST: refused -------------------------------------------------------

    @test.create_mocks(MOCKS)
    def test_negative_and_huge_counts_are_form_errors(self):
        self._setup()
        for count in (-1, 0, 11, 10**12):
            self.assertIn("count", self._refused(count=count)["set_details"])

    @test.create_mocks(MOCKS)
    @override_settings(
        LIGHTBITS_DASHBOARD={
            "LAUNCH_MAX_COUNT": 2,
            "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
        }
    )
    def test_max_count_comes_from_settings(self):
        self._setup()
        errors = self._refused(count=3)["set_details"]["count"]
        self.assertIn("between 1 and 2", str(errors))

    @test.create_mocks(MOCKS)
    def test_size_below_the_image_minimum_is_refused(self):
        self._setup()
        errors = self._refused(volume_size=9)["set_source"]["volume_size"]
        self.assertIn("at least 10 GiB", str(errors))

    @test.create_mocks(MOCKS)
    def test_size_below_the_flavor_disk_is_refused(self):
        self._setup()
        errors = self._refused(volume_size=20, flavor=self.massive.id)["set_flavor"]
        self.assertIn("below the minimum of 1024 GiB", str(errors))

    @test.create_mocks(MOCKS)
    def test_volume_type_of_another_store_is_refused(self):
        self._setup()
        self.assertIn("volume_type", self._refused(volume_type="ceph")["set_source"])

    @test.create_mocks(MOCKS)
    def test_network_of_another_project_is_a_form_error(self):
        self._setup()
        errors = self._refused(networks=[self.foreign_net.id])
        self.assertIn("networks", errors["set_networks"])

    @test.create_mocks(MOCKS)
    def test_a_network_is_required_with_a_network_service(self):
        self._setup()
        errors = self._refused(networks=None)["set_networks"]
        self.assertIn("Choose at least one network.", str(errors))

    @test.create_mocks(MOCKS)
    def test_without_network_service_the_step_is_hidden_and_boot_has_no_networks(self):
        self._setup()
        form = self._form(security_groups=None)
        del form["networks"]
        with mock.patch.object(workflows, "has_network_service", return_value=False):
            page = self.client.get(launch_url(self.image.id))
            self.assertNotIn("set_networks", [s.slug for s in page.context["workflow"].steps])
            res = self.client.post(launch_url(self.image.id), form)
        self.assertValid(res)
        self.assertEqual((), self.mock_start_launch.call_args.args[1].spec.networks)
        self.mock_network_list_for_tenant.assert_not_called()

    @test.create_mocks(MOCKS)
    def test_quota_refusal_names_the_quota(self):
        self._setup()
        self.mock_quota_usage.return_value = {"gigabytes_lightbits": (50, 30)}
        res = self.client.post(launch_url(self.image.id), self._form(count=3))
        self.assertContains(
            res,
            "Quota exceeded for gigabytes_lightbits: "
            "this launch needs 30, 30 of 50 in use (20 available)",
        )
        self.mock_start_launch.assert_not_called()

    @test.create_mocks(MOCKS)
    def test_markup_in_name_is_escaped_on_error_pages(self):
        self._setup()
        res = self.client.post(
            launch_url(self.image.id), self._form(name="<script>x()</script>", count=0)
        )
        self.assertNotContains(res, "<script>x()</script>")
        self.assertContains(res, "&lt;script&gt;x()&lt;/script&gt;")  # rendered, escaped

    @test.create_mocks(MOCKS)
    def test_forged_derived_fields_are_a_form_error_not_a_500(self):
        """An invalid Source step hands Horizon's raw POST to the next steps:
        image_min_gib there is not the step's own (a crafted POST adds it)."""
        self._setup()
        for forged in ({"image_min_gib": "x"}, {"image_min_gib": "5"}):
            errors = self._refused(volume_size="abc", **forged)
            self.assertIn("volume_size", errors["set_source"])

    @test.create_mocks(MOCKS)
    def test_an_image_that_is_not_active_is_refused(self):
        """The row action hides itself for such an image; its URL does not."""
        self._setup()
        self.image = factories.image(name="ubuntu", status="deactivated", virtual_size=GIB)
        self.mock_image_get.return_value = self.image
        errors = self._refused()["set_source"]["image_id"]
        self.assertIn("Only an active image", str(errors))

    @test.create_mocks(MOCKS)
    def test_volume_types_unreadable_goes_back_with_a_message(self):
        self._setup()
        self.mock_volume_type_list.side_effect = self.exceptions.cinder
        res = self.client.get(launch_url(self.image.id))
        self.assertRedirectsNoFollow(res, reverse("horizon:project:lightbits_images:index"))
        self.assertMessageCount(error=1)

    def test_class_level_help_texts_stay_lazy(self):
        """Evaluated at import they would never follow the user's language."""
        from django.utils.functional import Promise

        field = workflows.SetUserDataAction.base_fields["user_data"]
        self.assertIsInstance(field.help_text, Promise)
        self.assertIn("16384 characters", str(field.help_text))

    # -- a qcow2 image is copied, not cloned: said with the reasons, and the
    #    launch needs an explicit go-ahead

    def _qcow2(self):
        self.image = factories.image(name="cirros-qcow2", disk_format="qcow2", size=1 * GIB)
        self._setup()

    @test.create_mocks(MOCKS)
    def test_source_step_shows_the_copy_verdict_with_its_reasons(self):
        self._qcow2()
        res = self.client.get(launch_url(self.image.id))
        self.assertContains(res, "Clone path: Copy (image is qcow2/bare, not raw/bare)")
        self.assertContains(res, "Launch anyway, with a full copy of the image")
        self.assertNotContains(res, "The boot volume is a clone of the image volume")

    @test.create_mocks(MOCKS)
    def test_a_copy_is_refused_until_confirmed(self):
        self._qcow2()
        errors = self._refused()["set_source"]["copy_confirmed"]
        self.assertIn("Clone path: Copy (image is qcow2/bare, not raw/bare)", errors[0])
        res = self.client.post(launch_url(self.image.id), self._form(copy_confirmed="on"))
        self.assertValid(res)
        self.mock_start_launch.assert_called_once()

    @test.create_mocks(MOCKS)
    def test_the_any_image_launch_checks_the_chosen_image_too(self):
        self._qcow2()
        self.assertIn("copy_confirmed", self._refused(launch_url())["set_source"])

    @test.create_mocks(MOCKS)
    def test_a_flavor_below_the_images_min_ram_is_refused_on_the_flavor_step(self):
        self.image = factories.image(name="big-ram", min_ram=self.tiny.ram + 1)
        self._setup()
        errors = self._refused()
        self.assertEqual(["set_flavor"], list(errors))
        self.assertIn(f"this image needs at least {self.tiny.ram + 1} MB", str(errors))
        self.mock_tenant_absolute_limits.return_value = {}
        self.mock_quota_usage.return_value = {}
        res = self.client.post(launch_url(self.image.id), self._form(flavor=self.massive.id))
        self.assertValid(res)

    @test.create_mocks(MOCKS)
    def test_an_image_property_nova_refuses_with_the_flavor_is_refused_on_the_flavor_step(self):
        self.image = factories.image(name="huge-pages", hw_mem_page_size="large")
        self._setup()
        self.mock_flavor_get_extras.return_value = {}
        errors = self._refused()
        self.assertEqual(["set_flavor"], list(errors))
        self.assertIn("memory page size large (hw_mem_page_size)", str(errors))
        self.mock_flavor_get_extras.assert_called_once()
        self.assertEqual(self.tiny.id, self.mock_flavor_get_extras.call_args.args[1])
        self.mock_flavor_get_extras.return_value = {"hw:mem_page_size": "any"}
        self.mock_tenant_absolute_limits.return_value = {}
        self.mock_quota_usage.return_value = {}
        self.assertValid(self.client.post(launch_url(self.image.id), self._form()))

    @test.create_mocks(MOCKS)
    def test_flavor_extra_specs_are_read_only_when_an_image_property_needs_them(self):
        self._setup()
        self.mock_tenant_absolute_limits.return_value = {}
        self.mock_quota_usage.return_value = {}
        res = self.client.post(launch_url(self.image.id), self._form())
        self.assertValid(res)  # the flavor step was checked, and passed, without them
        self.mock_flavor_get_extras.assert_not_called()

    @test.create_mocks(MOCKS)
    def test_no_browser_validation_that_could_block_launch_on_a_hidden_step(self):
        self._setup()
        res = self.client.get(launch_url(self.image.id))
        html = res.content.decode()
        self.assertNotRegex(html, r"<(input|select|textarea)[^>]*\srequired[\s>]")
        self.assertNotRegex(html, r'<input[^>]*\smin="')
        res = self.client.post(launch_url(self.image.id), self._form(volume_size="0"))
        self.assertIn("volume_size", self._errors(res)["set_source"])
        self.assertContains(res, "Ensure this value is greater than or equal to 1.")
        self.mock_start_launch.assert_not_called()

    @test.create_mocks(MOCKS)
    def test_four_byte_characters_are_refused_on_every_text_field(self):
        self._setup()
        emoji = "\U0001f680"
        for field, step in (("name", "set_details"), ("user_data", "set_user_data")):
            errors = self._refused(**{field: f"vm{emoji}"})
            self.assertEqual([step], list(errors), field)
            self.assertIn(
                f"cannot store these characters (4-byte UTF-8, such as emoji): {emoji}",
                str(errors[step][field]),
            )
        self.mock_start_launch.assert_not_called()
        res = self.client.post(launch_url(self.image.id), self._form(name="vm-é-中"))
        self.assertValid(res)

    @test.create_mocks(MOCKS)
    def test_a_lightbits_backend_down_is_said_and_the_launch_refused_early(self):
        self._setup()
        down = {"lightbits": "Cinder reports backend lb down"}
        with mock.patch.object(workflows.data, "backends_down", return_value=down):
            res = self.client.get(launch_url(self.image.id))
            self.assertContains(res, "Volume type lightbits cannot take new volumes")
            errors = self._refused()["set_source"]
        self.assertIn("Cinder reports backend lb down", str(errors))

    # -- Require fast clone ------------------------------------------------

    @test.create_mocks(MOCKS)
    def test_off_by_default_and_the_plan_expects_a_clone(self):
        self._setup()
        res = self.client.get(launch_url(self.image.id))
        self.assertContains(res, "Require fast clone")
        self.assertFalse(
            res.context["workflow"].get_step("set_source").action.fields["require_clone"].initial
        )
        self.assertValid(self.client.post(launch_url(self.image.id), self._form()))
        plan = self.mock_start_launch.call_args.args[1]
        self.assertEqual(("clone", False), (plan.expected, plan.require_clone))

    @test.create_mocks(MOCKS)
    def test_ticked_it_reaches_the_plan(self):
        self._setup()
        res = self.client.post(launch_url(self.image.id), self._form(require_clone="on"))
        self.assertValid(res)
        self.assertTrue(self.mock_start_launch.call_args.args[1].require_clone)

    @test.create_mocks(MOCKS)
    def test_a_setting_ticks_it_by_default(self):
        self._setup()
        with override_settings(LIGHTBITS_DASHBOARD={"REQUIRE_FAST_CLONE": True}):
            res = self.client.get(launch_url(self.image.id))
        action = res.context["workflow"].get_step("set_source").action
        self.assertTrue(action.fields["require_clone"].initial)

    @test.create_mocks(MOCKS)
    def test_with_a_copy_verdict_it_is_refused_before_anything_is_made(self):
        self._qcow2()
        res = self.client.post(
            launch_url(self.image.id), self._form(require_clone="on", copy_confirmed="on")
        )
        errors = self._errors(res)["set_source"]["require_clone"]
        self.assertIn("untick", errors[0])
        self.mock_start_launch.assert_not_called()

    @test.create_mocks(MOCKS)
    def test_a_copy_launch_expects_a_copy(self):
        self._qcow2()
        self.assertValid(
            self.client.post(launch_url(self.image.id), self._form(copy_confirmed="on"))
        )
        self.assertEqual("copy", self.mock_start_launch.call_args.args[1].expected)


class BackendsDownTests(test.TestCase):
    def _types(self):
        lightbits = factories.volume_type("lightbits")
        lightbits.extra_specs = {"volume_backend_name": "lb"}
        return [lightbits, factories.volume_type("ceph")]

    @mock.patch.object(api.cinder, "service_list")
    @mock.patch.object(api.cinder, "pool_list")
    @mock.patch.object(api.cinder, "volume_type_list")
    def test_from_cinders_pools_and_services_for_admins(self, types, pools, services):
        from lightbits_dashboard.dashboards.project.lightbits_images import data

        types.return_value = self._types()
        pools.return_value = []
        services.return_value = []
        self.request.user = mock.Mock(is_superuser=True)
        reason = data.backends_down(self.request)["lightbits"]
        self.assertIn("no pool for backend lb", english(reason))
        pools.side_effect = RuntimeError("403 policy")
        self.assertEqual({}, data.backends_down(self.request))  # unknown, not down
        self.request.user = mock.Mock(is_superuser=False)
        types.reset_mock()
        self.assertEqual({}, data.backends_down(self.request))
        types.assert_not_called()

    @mock.patch.object(api.cinder, "service_list", return_value=[])
    @mock.patch.object(api.cinder, "pool_list", return_value=[])
    @mock.patch.object(api.cinder, "volume_type_list")
    def test_pages_share_cinders_verdict_a_launch_asks_anew(self, types, pools, services):
        from lightbits_dashboard.dashboards.project.lightbits_images import data

        types.return_value = self._types()
        self.request.user = mock.Mock(is_superuser=True)
        first = data.backends_down(self.request, cached=True)
        self.assertIn("no pool for backend lb", english(first["lightbits"]))
        self.assertEqual(first, data.backends_down(self.request, cached=True))
        self.assertEqual(1, pools.call_count)  # the second page read the shared verdict
        pools.return_value = [{"name": "host@lb#lb", "capabilities": {}}]
        data.backends_down(self.request)  # a launch: Cinder asked again
        self.assertEqual(2, pools.call_count)
        with self.settings(LIGHTBITS_DASHBOARD={"CLOUD_FACTS_MAX_AGE": 0}):
            data.backends_down(self.request, cached=True)
        self.assertEqual(3, pools.call_count)
        lightbits = types.return_value[0]
        lightbits.extra_specs = {"volume_backend_name": "other"}  # another backend: a new key
        data.backends_down(self.request, cached=True)
        self.assertEqual(4, pools.call_count)


class ClustersDownTests(test.TestCase):
    CLUSTERS = {
        "lb": {"api_endpoints": ["10.0.0.5:443"], "jwt": "x", "volume_types": ["lightbits"]}
    }

    @mock.patch.object(api.cinder, "volume_type_list")
    def test_a_cluster_that_does_not_answer_is_said_to_project_members(self, types):
        from django.test import override_settings

        from lightbits_dashboard.api import lightbits as lb_api
        from lightbits_dashboard.dashboards.project.lightbits_images import data

        self.request.user = mock.Mock(is_superuser=False)
        with (
            override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": self.CLUSTERS}),
            mock.patch.object(
                lb_api, "down_state", return_value={"since": 60.5, "answered_at": 50.5}
            ) as probe,
        ):
            down = data.backends_down(self.request)
            probe.return_value = {"since": 60.5, "answered_at": None}  # no answer seen
            never = data.backends_down(self.request)
            probe.return_value = None
            up = data.backends_down(self.request)
        self.assertEqual(
            {"lightbits": "its Lightbits cluster does not answer (last answered at 00:00:50 UTC)"},
            {k: english(v) for k, v in down.items()},
        )
        self.assertEqual(
            {"lightbits": "its Lightbits cluster does not answer (no answer since 00:01:00 UTC)"},
            {k: english(v) for k, v in never.items()},
        )
        self.assertEqual({}, up)
        probe.assert_called_with(self.request, "lb")
        types.assert_not_called()  # a member's check costs no Cinder call
