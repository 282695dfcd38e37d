"""What the clone rules learn about the cloud (data.CloneFacts)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from cinderclient import exceptions as cinder_exc
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import clone_path, shared_cache
from lightbits_dashboard.dashboards.project.lightbits_images import data
from lightbits_dashboard.message import msg
from tests.unit import factories
from tests.unit.english import english, english_verdict


class CloneFactsTests(test.TestCase):
    def _request(self, admin):
        request = mock.Mock()
        request.user = mock.Mock(project_id="1", is_superuser=admin)
        return request

    @test.create_mocks(
        {api.cinder: ("volume_type_list", "volume_list", "volume_encryption_type_list")}
    )
    def test_admin_sees_encrypted_types_and_copy_verdict(self):
        self.mock_volume_type_list.return_value = [
            factories.volume_type("lightbits", "t1"),
            factories.volume_type("ceph", "t2"),
        ]
        self.mock_volume_list.return_value = []
        self.mock_volume_encryption_type_list.return_value = [mock.Mock(volume_type_id="t1")]
        facts = data.CloneFacts(self._request(admin=True))
        self.assertEqual({"lightbits"}, facts.encrypted_type_names)
        (image,) = data.lightbits_images(None, [factories.image()], facts)
        self.assertEqual(
            ("Copy", ["the Lightbits volume type is encrypted"]),
            (english_verdict(image.clone_verdict), [english(r) for r in image.clone_reasons]),
        )

    @test.create_mocks(
        {api.cinder: ("volume_type_list", "volume_list", "volume_encryption_type_list")}
    )
    def test_the_encrypted_types_are_shared_by_admins_for_a_while(self):
        self.mock_volume_type_list.return_value = [factories.volume_type("lightbits", "t1")]
        self.mock_volume_list.return_value = []
        self.mock_volume_encryption_type_list.return_value = [mock.Mock(volume_type_id="t1")]
        data.CloneFacts(self._request(admin=True))
        self.mock_volume_encryption_type_list.return_value = []
        self.assertEqual({"lightbits"}, data.CloneFacts(self._request(True)).encrypted_type_names)
        self.assertEqual(1, self.mock_volume_encryption_type_list.call_count)
        shared_cache.get_cache().delete(data.ENCRYPTED_TYPES)  # expired
        self.assertEqual(set(), data.CloneFacts(self._request(True)).encrypted_type_names)
        self.mock_volume_encryption_type_list.side_effect = self.exceptions.cinder
        shared_cache.get_cache().delete(data.ENCRYPTED_TYPES)
        self.assertIsNone(data.CloneFacts(self._request(True)).encrypted_type_names)
        self.assertIsNone(shared_cache.get_cache().get(data.ENCRYPTED_TYPES))  # unknown: not kept

    @test.create_mocks(
        {api.cinder: ("volume_type_list", "volume_list", "volume_encryption_type_list")}
    )
    def test_member_cannot_see_encryption_and_is_told_so(self):
        self.mock_volume_type_list.return_value = [factories.volume_type("lightbits")]
        self.mock_volume_list.side_effect = self.exceptions.cinder
        facts = data.CloneFacts(self._request(admin=False))
        self.mock_volume_encryption_type_list.assert_not_called()
        self.assertIsNone(facts.encrypted_type_names)
        self.assertEqual([], facts.volumes)
        (image,) = data.lightbits_images(None, [factories.image()], facts)
        self.assertEqual("Fast clone", english_verdict(image.clone_verdict))
        self.assertIn("cannot check", english(image.clone_reasons[0]))


class ImageVolumeCandidatesTests(test.TestCase):
    """The page asks Cinder for the volumes named like image-, not all."""

    def setUp(self):
        super().setUp()
        shared_cache.get_cache().clear()
        self.addCleanup(shared_cache.get_cache().clear)

    def _request(self, admin):
        request = mock.Mock()
        request.user = mock.Mock(project_id="1", is_superuser=admin)
        return request

    @test.create_mocks({api.cinder: ("volume_list",)})
    def test_the_like_filter_is_asked_first(self):
        image_volume = factories.volume("image-x")
        self.mock_volume_list.return_value = [image_volume]
        self.assertEqual([image_volume], data.image_volume_candidates(self._request(True)))
        self.mock_volume_list.assert_called_once_with(mock.ANY, search_opts={"name~": "image-"})

    @test.create_mocks({api.cinder: ("volume_list",)})
    def test_a_member_asks_for_its_projects_image_volumes_by_metadata(self):
        """Cinder's default resource filters allow ``metadata`` to members,
        not ``name~``: one call, never the project's every volume."""
        image_volume = factories.volume("image-x")
        self.mock_volume_list.return_value = [image_volume]
        self.assertEqual([image_volume], data.image_volume_candidates(self._request(False)))
        self.mock_volume_list.assert_called_once_with(
            mock.ANY, search_opts={"metadata": {"image_owner": "1"}}
        )

    @pytest.mark.raw_volume_list
    @mock.patch.object(api.cinder, "cinderclient")
    def test_members_and_admins_lists_are_cinderclients_raw_list(self, cinderclient):
        """No Horizon wrapper: no volume transfer list, no version discovery."""
        image_volume = factories.volume("image-x")
        cinderclient.return_value.volumes.list.return_value = [image_volume]
        for admin, search_opts in (
            (False, {"metadata": {"image_owner": "1"}}),
            (True, {"name~": "image-"}),
        ):
            cinderclient.reset_mock()
            self.assertEqual([image_volume], data.image_volume_candidates(self._request(admin)))
            cinderclient.return_value.volumes.list.assert_called_once_with(search_opts=search_opts)

    @test.create_mocks({api.cinder: ("volume_list",)})
    def test_a_refused_filter_falls_back_to_every_volume_and_is_remembered(self):
        every = [factories.volume("image-x"), factories.volume("boot")]

        def volume_list(request, search_opts=None):
            if "name~" in (search_opts or {}):
                raise cinder_exc.BadRequest(400, "Invalid filters name~ are found")
            return every

        self.mock_volume_list.side_effect = volume_list
        admin = self._request(True)
        self.assertEqual(every, data.image_volume_candidates(admin))
        self.assertEqual(2, self.mock_volume_list.call_count)
        self.assertEqual(every, data.image_volume_candidates(admin))
        self.assertEqual(3, self.mock_volume_list.call_count)  # no second refused call
        self.assertEqual({}, self.mock_volume_list.call_args.kwargs["search_opts"])


CACHE_MOCKS = {
    api.cinder: ("volume_type_list", "volume_list", "volume_encryption_type_list"),
    api.keystone: ("tenant_list",),
}
INTERNAL_ID = "0123456789abcdef0123456789abcdef"


class ImageVolumeCacheTests(test.TestCase):
    """Cinder's image-volume cache: "Fast clone (from cache)" for a qcow2 image."""

    def _request(self, admin):
        request = mock.Mock()
        request.user = mock.Mock(project_id="1", is_superuser=admin)
        return request

    def _cloud(self, internal_volumes):
        self.mock_volume_type_list.return_value = [factories.volume_type("lightbits")]
        self.mock_volume_encryption_type_list.return_value = []
        self.mock_volume_list.side_effect = lambda request, search_opts=None: (
            internal_volumes if "project_id" in (search_opts or {}) else []
        )

    def _entry(self, image, created_at="2026-06-01T00:00:00", **extra):
        """As seen in the local cloud: readonly metadata, source_volid, no image metadata."""
        extra.setdefault("metadata", {"readonly": "True"})
        return factories.volume(
            f"image-{image.id}", created_at=created_at, source_volid="boot-1", **extra
        )

    def _qcow2(self):
        return factories.image(disk_format="qcow2", updated_at="2026-05-01T00:00:00Z")

    @test.create_mocks(CACHE_MOCKS)
    def test_admin_sees_a_fresh_entry_with_one_more_call(self):
        image = self._qcow2()
        self._cloud([self._entry(image), factories.volume("not-an-entry")])
        with self.settings(LIGHTBITS_DASHBOARD={"INTERNAL_PROJECTS": [INTERNAL_ID]}):
            facts = data.CloneFacts(self._request(admin=True))
            (found,) = data.lightbits_images(None, [image], facts)
        self.assertEqual(
            ("Fast clone (from cache)", []),
            (english_verdict(found.clone_verdict), found.clone_reasons),
        )
        self.assertEqual(2, self.mock_volume_list.call_count)  # the project's, the tenant's
        search = self.mock_volume_list.call_args_list[1].kwargs["search_opts"]
        self.assertEqual(
            {"all_tenants": True, "project_id": INTERNAL_ID, "name~": "image-"}, search
        )
        self.mock_tenant_list.assert_not_called()

    @test.create_mocks(CACHE_MOCKS)
    def test_a_stale_entry_stays_copy_and_says_why(self):
        image = self._qcow2()
        self._cloud([self._entry(image, created_at="2026-04-01T00:00:00")])
        with self.settings(LIGHTBITS_DASHBOARD={"INTERNAL_PROJECTS": [INTERNAL_ID]}):
            (found,) = data.lightbits_images(
                None, [image], data.CloneFacts(self._request(admin=True))
            )
        self.assertEqual("Copy", english_verdict(found.clone_verdict))
        self.assertIn("cache_entry_stale", [r.code for r in found.clone_reasons])

    @test.create_mocks(CACHE_MOCKS)
    def test_glances_own_image_volume_is_no_cache_entry(self):
        image = self._qcow2()
        glance_volume = self._entry(image, metadata={"glance_image_id": image.id})
        self._cloud([glance_volume])
        with self.settings(LIGHTBITS_DASHBOARD={"INTERNAL_PROJECTS": [INTERNAL_ID]}):
            (found,) = data.lightbits_images(
                None, [image], data.CloneFacts(self._request(admin=True))
            )
        self.assertEqual("Copy", english_verdict(found.clone_verdict))

    @test.create_mocks(CACHE_MOCKS)
    def test_a_project_name_is_resolved_once_through_keystone(self):
        image = self._qcow2()
        self._cloud([self._entry(image)])
        self.mock_tenant_list.return_value = ([mock.Mock(id=INTERNAL_ID)], False)
        with self.settings(LIGHTBITS_DASHBOARD={"INTERNAL_PROJECTS": ["cinder-internal"]}):
            (found,) = data.lightbits_images(
                None, [image], data.CloneFacts(self._request(admin=True))
            )
        self.assertEqual("Fast clone (from cache)", english_verdict(found.clone_verdict))
        self.mock_tenant_list.assert_called_once()

    @test.create_mocks(CACHE_MOCKS)
    def test_a_member_cannot_see_the_internal_tenant_and_is_told_so(self):
        image = self._qcow2()
        self._cloud([self._entry(image)])
        with self.settings(LIGHTBITS_DASHBOARD={"INTERNAL_PROJECTS": [INTERNAL_ID]}):
            (found,) = data.lightbits_images(
                None, [image], data.CloneFacts(self._request(admin=False))
            )
        self.assertEqual("Copy", english_verdict(found.clone_verdict))
        self.assertIn("cache_not_visible", [r.code for r in found.clone_reasons])
        self.assertEqual(1, self.mock_volume_list.call_count)

    @test.create_mocks(CACHE_MOCKS)
    def test_without_an_internal_tenant_the_cache_is_not_looked_at(self):
        image = self._qcow2()
        self._cloud([self._entry(image)])
        (found,) = data.lightbits_images(None, [image], data.CloneFacts(self._request(admin=True)))
        self.assertEqual(
            ("Copy", ["image is qcow2/bare, not raw/bare"]),
            (english_verdict(found.clone_verdict), [english(r) for r in found.clone_reasons]),
        )
        self.assertEqual(1, self.mock_volume_list.call_count)


class CacheTextsTests(test.TestCase):
    def test_the_panel_says_cache_reasons_in_words(self):
        from lightbits_dashboard.dashboards.project.lightbits_images import tables
        from lightbits_dashboard.dashboards.project.lightbits_images.launches import workflows

        image = mock.Mock(
            clone_verdict=clone_path.COPY,
            clone_unavailable=[],  # its backend can take boot volumes
            clone_reasons=[
                msg("not_raw_bare", disk="qcow2", container="bare"),
                msg(clone_path.CACHE_UNSEEN),
            ],
        )
        text = str(tables.get_clone_path(image))
        self.assertIn(
            'title="image is qcow2/bare, not raw/bare; Cinder&#x27;s image-volume cache may', text
        )
        self.assertIn(">Copy: qcow2</span>", text)
        self.assertNotIn("cache_not_visible", text)
        stale = mock.Mock(
            clone_verdict=clone_path.COPY, clone_reasons=[msg(clone_path.CACHE_STALE)]
        )
        self.assertIn("changed after the entry was made", str(workflows.clone_path_text(stale)))
        cached = mock.Mock(
            clone_verdict=clone_path.FAST_CLONE_CACHE, clone_reasons=[], clone_unavailable=[]
        )
        self.assertEqual("Fast clone (from cache)", str(tables.get_clone_path(cached)))
        self.assertIn("clone of the cache entry", str(workflows.clone_path_text(cached)))


class VolumeTypesPerRequestTests(test.TestCase):
    @test.create_mocks({api.cinder: ("volume_type_list",)})
    def test_two_threads_of_one_request_list_them_once(self):
        listing = threading.Event()

        def slow_list(request):
            listing.set()
            time.sleep(0.2)  # the second thread asks meanwhile
            return ["lightbits"]

        self.mock_volume_type_list.side_effect = slow_list
        request = mock.Mock()
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(data.volume_types, request)
            listing.wait(5)
            second = pool.submit(data.volume_types, request)
        self.assertEqual(first.result(), second.result())
        self.assertEqual(self.mock_volume_type_list.call_count, 1)
        data.volume_types(mock.Mock())  # another request: its own list
        self.assertEqual(self.mock_volume_type_list.call_count, 2)
