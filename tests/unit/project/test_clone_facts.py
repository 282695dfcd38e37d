"""What the clone rules learn about the cloud (data.CloneFacts)."""

from unittest import mock

from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard.dashboards.project.lightbits_images import data
from tests.unit.english import english, english_verdict
from tests.unit.project import factories


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
