"""Glance stores / copy-image and Cinder read-only helpers, on mocked clients."""

from types import SimpleNamespace
from unittest import mock

from openstack_dashboard.api import cinder as horizon_cinder
from openstack_dashboard.api import glance as horizon_glance

from lightbits_dashboard.api import cinder_admin
from lightbits_dashboard.api import glance as lb_glance


def _glance(images=None):
    manager = mock.Mock()
    manager.list.side_effect = lambda page_size, filters: iter(
        (images or {}).get(filters.get("os_hidden", "false"), [])
    )
    manager.get_stores_info_detail.return_value = {
        "stores": [{"id": "lightbits", "type": "cinder", "properties": {"volume_type": "lb"}}]
    }
    manager.get_stores_info.return_value = {"stores": [{"id": "lightbits"}]}
    return SimpleNamespace(images=manager)


def test_image_list_all_includes_hidden_images_once():
    a, b = SimpleNamespace(id="a"), SimpleNamespace(id="b")
    client = _glance({"false": [a], "true": [b, a]})
    with mock.patch.object(horizon_glance, "glanceclient", return_value=client):
        images = lb_glance.image_list_all(None, page_size=50)
    assert sorted(i.id for i in images) == ["a", "b"]
    assert all(isinstance(i, horizon_glance.Image) for i in images)
    assert client.images.list.call_args_list == [
        mock.call(page_size=50, filters={}),
        mock.call(page_size=50, filters={"os_hidden": "true"}),
    ]


def test_stores():
    client = _glance()
    with mock.patch.object(horizon_glance, "glanceclient", return_value=client):
        assert lb_glance.store_list_detail(None)[0]["properties"]["volume_type"] == "lb"


def test_copy_image_import_into_stores():
    client = _glance()
    with mock.patch.object(horizon_glance, "glanceclient", return_value=client):
        lb_glance.image_copy_to_stores(None, "img-1", ("lightbits",))
    client.images.image_import.assert_called_once_with(
        "img-1", method="copy-image", stores=["lightbits"], allow_failure=True
    )


def test_volume_set_readonly():
    client = mock.Mock()
    with mock.patch.object(horizon_cinder, "cinderclient", return_value=client):
        cinder_admin.volume_set_readonly(None, "vol-1")
    client.volumes.update_readonly_flag.assert_called_once_with("vol-1", True)
