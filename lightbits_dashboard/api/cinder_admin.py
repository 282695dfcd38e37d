"""Admin Cinder calls Horizon's openstack_dashboard.api.cinder lacks."""

from openstack_dashboard.api import cinder as horizon_cinder


def volume_set_readonly(request, volume_id, readonly=True):
    """os-update_readonly_flag (admin; the volume must be available)."""
    client = horizon_cinder.cinderclient(request)
    return client.volumes.update_readonly_flag(volume_id, readonly)
