# Horizon settings snippet for the local cloud (written by devcloud/horizon
# into openstack_dashboard/local/local_settings.d/; @ROOT@ is the checkout,
# the ports follow DEVCLOUD_PORT_OFFSET).
# A real deployment puts the same keys into its own local_settings.

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
OPENSTACK_KEYSTONE_URL = "http://127.0.0.1:@KEYSTONE_PORT@/v3"
OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
COMPRESS_OFFLINE = False

LIGHTBITS_DASHBOARD = {
    # Glance store id -> the Cinder volume types on the Lightbits backend.
    "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
    # Cinder volume_backend_name -> the Lightbits cluster (the emulator).
    "CLUSTERS": {
        "lightbits": {
            "api_endpoints": ["127.0.0.1:@EMULATOR_PORT@"],
            "jwt_file": "@ROOT@/.devcloud/emulator/admin.jwt",
            "ca_file": "@ROOT@/.devcloud/emulator/ca.pem",
        }
    },
    # Glance's cinder store keeps its image volumes in project "service".
    "SERVICE_PROJECTS": ["service"],
}
