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

"""The per-image conversion lock (convert.lock) in the plugin's shared cache:
one conversion of an image at a time, whoever runs it."""

from lightbits_dashboard import conf, shared_cache
from lightbits_dashboard.convert import lock, preflight
from lightbits_dashboard.launch import runner


def image_lock():
    """The per-image lock (convert.lock) in the plugin's shared cache, with the
    heartbeat's lifetime: memcached in deployment, so every Horizon process
    sees it; with a local-memory cache it holds within one process only."""
    ttl = runner.heartbeat_ttl(conf.get("LAUNCH_POLL_INTERVAL"))
    return lock.ConversionLock(shared_cache.get_cache(), ttl)


def holder_of(request, conversion_id):
    user = request.user
    return lock.Holder(
        conversion_id,
        user_id=user.id,
        user_name=getattr(user, "username", "") or "",
        project_id=user.project_id,
        project_name=getattr(user, "project_name", "") or "",
    )


def who_holds(request, holder):
    """(who, params) for preflight.BEING_CONVERTED, as far as this user may know."""
    user = request.user
    sees_all = bool(getattr(user, "is_superuser", False))
    return lock.who(holder, user_id=user.id, project_id=user.project_id, sees_all=sees_all)


def converting_by(request, src):
    holder = image_lock().holder(src.id)
    return who_holds(request, holder) if holder else None


class Busy(Exception):
    """Another conversion holds the image's lock; ``problem`` says who."""

    def __init__(self, problem):
        super().__init__(problem.code)
        self.problem = problem


def take(request, source_id, conversion_id):
    """Take the image's lock for ``conversion_id``, or raise Busy."""
    current = image_lock().acquire(source_id, holder_of(request, conversion_id))
    if current is not None:
        who, params = who_holds(request, current)
        raise Busy(preflight.Problem(preflight.BEING_CONVERTED, dict(params, who=who)))


def releasing(source_id, conversion_id, work):
    """``work`` that frees the image's lock when it ends, however it ends."""

    def run(*args):
        try:
            return work(*args)
        finally:
            image_lock().release(source_id, conversion_id)

    return run
