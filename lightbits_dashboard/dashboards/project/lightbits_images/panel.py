import horizon
from django.utils.translation import gettext_lazy as _

from lightbits_dashboard import model


class LightbitsImages(horizon.Panel):
    name = _("Lightbits Images")
    slug = "lightbits_images"
    permissions = (
        ("openstack.services.image",),
        tuple(f"openstack.services.{service}" for service in model.BLOCK_STORAGE_SERVICES),
    )
    policy_rules = (("image", "get_images"),)
