import horizon
from django.utils.translation import gettext_lazy as _


class LightbitsImages(horizon.Panel):
    name = _("Lightbits Images")
    slug = "lightbits_images"
    permissions = (
        ("openstack.services.image",),
        (
            "openstack.services.block-storage",
            "openstack.services.block-store",
            "openstack.services.volume",
            "openstack.services.volumev3",
        ),
    )
    policy_rules = (("image", "get_images"),)
