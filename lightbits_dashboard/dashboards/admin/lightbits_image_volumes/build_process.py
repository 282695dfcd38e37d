#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""The whole-cloud inventory build, in a child process of Horizon's.

A build at 50,000 volumes holds some 300 MiB of listings for seconds and
keeps a core busy: in a Horizon worker it would slow the requests that
worker serves meanwhile (one interpreter lock) and leave the worker's
memory grown for good. When the plugin's cache is shared between processes
(memcached, a database, files), cached.start_build runs it here instead:
``python -m lightbits_dashboard.dashboards.admin.lightbits_image_volumes.build_process``
with Horizon's settings and sys.path, the admin's token on its standard
input (never in its arguments or environment), the result stored in the
shared cache. Its errors go to the log (standard error: Horizon's log).
"""

import datetime
import json
import logging
import os
import subprocess
import sys

from django.conf import settings
from django.utils import translation

LOG = logging.getLogger(__name__)


class Build:
    """The build a page view asks for: ``build()`` in this process, or
    ``spawn(lock_token)`` a child process that builds and frees the lock."""

    def __init__(self, request, refresh=False):
        self.request = request
        self.refresh = refresh

    def __call__(self):
        from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import collect

        return collect.collect(self.request, refresh=self.refresh)

    def spawn(self, lock_token):
        """The started child (subprocess.Popen); raises if it cannot start."""
        payload = self._payload(lock_token)  # before the child exists: nothing to reap
        proc = subprocess.Popen(
            [_python(), "-m", __name__],
            stdin=subprocess.PIPE,
            env=_child_env(),
            close_fds=True,
        )
        try:
            proc.stdin.write(payload)
            proc.stdin.close()
        except OSError:
            proc.kill()
            proc.wait()
            raise
        return proc

    def _payload(self, lock_token):
        user = self.request.user
        return dumps(
            {
                "token": user.token,
                "endpoint": user.endpoint,
                "services_region": user.services_region,
                "service_catalog": user.service_catalog,
                "roles": user.roles,
                "language": translation.get_language(),
                "refresh": self.refresh,
                "lock": lock_token,
            }
        )


# The payload is plain JSON written here, not openstack_auth.serializers
# (Horizon 26 on only): the admin's Token is its attributes, datetimes tagged.
_DATETIME, _TOKEN = "__lightbits_datetime__", "__lightbits_token__"


class _Encoder(json.JSONEncoder):
    def default(self, o):
        from openstack_auth import user as auth_user

        if isinstance(o, datetime.datetime):
            return {_DATETIME: o.isoformat()}
        if isinstance(o, auth_user.Token):
            return {_TOKEN: vars(o)}
        return str(o)  # lazy translations


def _decoded(obj):
    from openstack_auth import user as auth_user

    if _DATETIME in obj:
        return datetime.datetime.fromisoformat(obj[_DATETIME])
    if _TOKEN in obj:
        # Horizon 24's Token() requires an auth_ref: make it from its attributes.
        token = auth_user.Token.__new__(auth_user.Token)
        vars(token).update(obj[_TOKEN])
        return token
    return obj


def dumps(payload):
    """The child's payload as bytes (the admin's token included)."""
    return json.dumps(payload, cls=_Encoder).encode()


def loads(data):
    return json.loads(data.decode(), object_hook=_decoded)


def _python():
    # Under uwsgi, sys.executable is uwsgi itself; the environment's own
    # interpreter is beside its site-packages.
    for name in ("python3", "python"):
        path = os.path.join(sys.prefix, "bin", name)
        if os.access(path, os.X_OK):
            return path
    return sys.executable


def _child_env():
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


def _request(payload):
    """A request as Horizon's middleware would leave it for this admin: its
    user also in the session, where openstack_auth's policy checks (e.g.
    Keystone's admin_required before listing projects) look it up."""
    from django.contrib import auth
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import RequestFactory
    from openstack_auth import user as auth_user

    request = RequestFactory().get("/")
    request.session = SessionStore()
    token = payload["token"]
    # The roles and catalog the parent's user had (Horizon's tests set them
    # apart from the token's); the policy checks rebuild the user from the token.
    token.roles = payload["roles"]
    user = auth_user.create_user_from_token(
        request, token, payload["endpoint"], payload["services_region"]
    )
    user.service_catalog = payload["service_catalog"]
    auth_user.set_session_from_user(request, user)
    request.session[auth.SESSION_KEY] = user.id
    request.session[auth.BACKEND_SESSION_KEY] = "openstack_auth.backend.KeystoneBackend"
    request._messages = FallbackStorage(request)  # the view shows what failed
    return request


def run(payload):
    """Build and store the inventory, then free the lock (the parent holds
    it for this child)."""
    from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import cached

    translation.activate(payload["language"])
    try:
        cached.build_locked(Build(_request(payload), payload["refresh"]))
    finally:
        cached.free_lock(payload["lock"])


def main():
    import django

    django.setup()
    payload = loads(sys.stdin.buffer.read())
    try:
        run(payload)
    except Exception:
        LOG.exception("lightbits_dashboard: the admin inventory build failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
