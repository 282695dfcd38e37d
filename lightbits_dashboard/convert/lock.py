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

"""One conversion per source image at a time, across users, projects and
Horizon processes: a lock per source image in the plugin's shared cache.

Taken with the cache's atomic ``add`` (memcached's ADD), with a lifetime
that the conversion's heartbeat renews while it runs. When the Horizon
process dies mid-conversion, the lock lapses with its lifetime (as the
heartbeat does, so the conversion shows Interrupted), and Finish takes it
again. A marker on the source image in Glance would not do: Glance has no
atomic test-and-set (two conversions would both write it), a member of
another project cannot write another project's image, the marker would
outlive a dead Horizon until someone clears it, and each write changes the
image's ``updated_at``, which drops Cinder's image-volume cache entries.

``store``: add(key, value, timeout) -> bool, get(key), set(key, value,
timeout), delete(key), as a Django cache.
"""

import logging
import time
from dataclasses import asdict, dataclass

LOG = logging.getLogger(__name__)
PREFIX = "lightbits-convert-lock:"

# Who holds the lock, as far as the asking user may know.
BY_YOU = "by_you"  # params: project (the user's own project name)
BY_PROJECT = "by_project"  # another user of the asker's project
BY_OTHER_PROJECT = "by_other_project"  # no name, no project
BY_USER = "by_user"  # for admins: params user, project


@dataclass(frozen=True)
class Holder:
    conversion_id: str
    user_id: str = ""
    user_name: str = ""
    project_id: str = ""
    project_name: str = ""
    since: float = 0.0


def _holder(value):
    if not isinstance(value, dict) or "conversion_id" not in value:
        return None
    known = Holder.__dataclass_fields__
    return Holder(**{k: v for k, v in value.items() if k in known})


class ConversionLock:
    def __init__(self, store, ttl, clock=time.time):
        self.store, self.ttl, self.clock = store, ttl, clock

    @staticmethod
    def _key(source_id):
        return PREFIX + source_id

    def holder(self, source_id):
        """The Holder of ``source_id``'s lock, or None."""
        return _holder(self.store.get(self._key(source_id)))

    def acquire(self, source_id, holder):
        """None once ``holder`` holds the lock (it may already: Finish of the same
        conversion), else the Holder that does."""
        key = self._key(source_id)
        value = asdict(holder) | {"since": holder.since or self.clock()}
        for _attempt in range(2):  # the other holder's lock may lapse in between
            if self.store.add(key, value, self.ttl):
                return None
            current = self.holder(source_id)
            if current is not None and current.conversion_id == holder.conversion_id:
                self.store.set(key, asdict(current), self.ttl)
                return None
            if current is not None:
                return current
        # The cache neither stores nor shows a lock (down): do not refuse every
        # conversion because of it.
        LOG.warning("Conversion lock of image %s not stored: the cache refused it", source_id)
        return None

    def renew(self, source_id, conversion_id):
        """Extend the lock's lifetime (the conversion's heartbeat). A lock that
        lapsed (the cache evicted it) is taken again when free."""
        key = self._key(source_id)
        current = self.holder(source_id)
        if current is None:
            self.store.add(key, asdict(Holder(conversion_id, since=self.clock())), self.ttl)
        elif current.conversion_id == conversion_id:
            self.store.set(key, asdict(current), self.ttl)
        else:
            LOG.warning("Conversion %s lost the lock of image %s", conversion_id, source_id)

    def release(self, source_id, conversion_id):
        """Free the lock when ``conversion_id`` holds it."""
        current = self.holder(source_id)
        if current is not None and current.conversion_id == conversion_id:
            self.store.delete(self._key(source_id))


def who(holder, *, user_id, project_id, sees_all):
    """(code, params): who converts the image, said only as far as the asking
    user (``user_id`` in ``project_id``; ``sees_all`` for admins) may know."""
    if holder.user_id and holder.user_id == user_id:
        return BY_YOU, {"project": holder.project_name or holder.project_id}
    if sees_all:
        user = holder.user_name or holder.user_id or "?"
        return BY_USER, {"user": user, "project": holder.project_name or holder.project_id}
    if holder.project_id and holder.project_id == project_id:
        return BY_PROJECT, {}
    return BY_OTHER_PROJECT, {}
