import horizon
from django.utils.translation import gettext_lazy as _


class LightbitsImageVolumes(horizon.Panel):
    """Admin > Volume > Lightbits Image Volumes: admins only, by policy."""

    name = _("Lightbits Image Volumes")
    slug = "lightbits_image_volumes"
    permissions = (
        (
            "openstack.services.block-storage",
            "openstack.services.block-store",
            "openstack.services.volume",
            "openstack.services.volumev3",
        ),
        "openstack.services.image",
    )
    policy_rules = (("volume", "context_is_admin"),)
