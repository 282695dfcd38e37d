# Horizon settings snippet for the local cloud (written by devcloud/horizon
# into openstack_dashboard/local/local_settings.d/; @...@ are filled in from
# the local cloud's facts). A real deployment puts the same keys into its own
# local_settings: Horizon as operators run it (uwsgi, several processes,
# memcached for the cache and the sessions, offline-compressed static files).

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
OPENSTACK_KEYSTONE_URL = "@KEYSTONE_URL@"
OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"
# One memcached shared by every Horizon process: Horizon's cache, the
# sessions (as Horizon's docs recommend) and the plugin's shared state.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
        "LOCATION": "@MEMCACHED@",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
# collectstatic + compress --force run at install time (devcloud/horizon);
# uwsgi serves STATIC_ROOT.
STATIC_ROOT = "@STATIC_ROOT@"
COMPRESS_OFFLINE = True
COMPRESS_ENABLED = True

# Error reports hide the Lightbits JWT (doc/source/configuration, "Error reports").
DEFAULT_EXCEPTION_REPORTER_FILTER = "lightbits_dashboard.reporting.ReporterFilter"

LIGHTBITS_DASHBOARD = {
    # Glance store id -> the Cinder volume types on the Lightbits backend.
    "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
    # Cinder volume_backend_name -> the Lightbits cluster (the emulator).
    "CLUSTERS": {
        "lightbits": {
            "api_endpoints": ["@EMULATOR@"],
            "jwt_file": "@ROOT@/.devcloud/emulator/admin.jwt",
            "ca_file": "@ROOT@/.devcloud/emulator/ca.pem",
            # the volume types on this backend (project members cannot read
            # a type's volume_backend_name): the project panel and the launch
            # say when this cluster does not answer
            "volume_types": ["lightbits"],
        }
    },
    # Glance's cinder store keeps its image volumes in project "service".
    "SERVICE_PROJECTS": ["service"],
    # A small cloud rebuilds its admin inventory in well under a second: keep
    # it fresh, so changes made outside the panel show within seconds.
    "INVENTORY_MAX_AGE": 10,
}
