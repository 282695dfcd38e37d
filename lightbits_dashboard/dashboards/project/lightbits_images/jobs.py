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

"""Background jobs (launches, conversions): what both share.

The job runs in ``launch.runner``'s thread of the Horizon process; its
heartbeat and its failure log live in the plugin's shared cache, so that
every Horizon process sees them (memcached or redis in deployment). Their
pages show one row per job: the view, the link to it, the state column's
choices, a one-row action on a row with a ``state``, its Clean Up and
Dismiss, the ajax row update (Horizon's UpdateRow) and the table's Meta.
"""

import threading

from django.urls import reverse
from django.utils.translation import ngettext_lazy, pgettext_lazy
from horizon import exceptions, messages, tables

from lightbits_dashboard import conf, model, shared_cache
from lightbits_dashboard.launch import runner


def heartbeat():
    """The jobs' heartbeat, in the plugin's cache alias (shared_cache): shared
    by every Horizon process when it is memcached or redis, never culled by
    Horizon's own entries."""
    ttl = runner.heartbeat_ttl(conf.get("LAUNCH_POLL_INTERVAL"))
    return runner.Heartbeat(shared_cache.get_cache(), ttl)


class FailureLog:
    """Failed jobs per project, kept a day in the shared cache so that their
    error stays visible on their page; ``_key(project_id)`` names the entry."""

    TTL = 24 * 3600
    _lock = threading.Lock()

    @staticmethod
    def _key(project_id):
        raise NotImplementedError

    def entries(self, project_id):
        return dict(shared_cache.get_cache().get(self._key(project_id)) or {})

    def put(self, project_id, row_id, entry):
        with self._lock:
            entries = self.entries(project_id)
            entries[row_id] = entry
            shared_cache.get_cache().set(self._key(project_id), entries, self.TTL)

    def remove(self, project_id, row_id):
        with self._lock:
            entries = self.entries(project_id)
            entries.pop(row_id, None)
            shared_cache.get_cache().set(self._key(project_id), entries, self.TTL)


class RowsView(tables.DataTableView):
    """The page's rows from ``rows()``; unreadable: none and ``error``."""

    error = None

    def rows(self):
        raise NotImplementedError

    def get_data(self):
        try:
            return self.rows()
        except Exception:
            exceptions.handle(self.request, self.error)
            return []


class ListLink(tables.LinkAction):
    """A table action that opens the panel's list page of its ``name``."""

    icon = "tasks"

    def get_link_url(self, datum=None):
        return reverse(model.PROJECT_URLS + self.name)


def state_choices(running, record):
    """(status_choices, display_choices) of a state column.

    ``running``: [(state, label)] of a row still at work (polled by ajax);
    then the end states both records share (``record.ACTIVE``, ``ERROR``,
    ``INTERRUPTED``).
    """
    ended = (
        (record.ACTIVE, True, pgettext_lazy("Row state", "Active")),
        (record.ERROR, False, pgettext_lazy("Row state", "Error")),
        (record.INTERRUPTED, False, pgettext_lazy("Row state", "Interrupted")),
    )
    status = tuple((state, None) for state, _label in running)
    status += tuple((state, ok) for state, ok, _label in ended)
    display = tuple(running) + tuple((state, label) for state, _ok, label in ended)
    return status, display


class RowAction(tables.BatchAction):
    """A one-row action: ``operate(request, row id)`` calls the operation; a
    refusal (ValueError) is shown with its reason.

    ``present``/``past``: ngettext_lazy(one, many) without a number (the
    count chooses the form); ``states``: the row states it is offered in."""

    states = ()
    present = past = None

    def allowed(self, request, row=None):
        return row is None or row.state in self.states

    def operate(self, request, row_id):
        raise NotImplementedError

    def action(self, request, obj_id):
        try:
            self.operate(request, obj_id)
        except ValueError as exc:
            messages.error(request, str(exc))  # the reason, next to "Unable to ..."
            raise exceptions.BadRequest(str(exc))

    def action_present(self, count):
        return self.present % count

    def action_past(self, count):
        return self.past % count


class CleanUp(RowAction):
    name = "clean_up"
    classes = ("btn-danger",)
    icon = "trash"
    policy_rules = (("volume", "volume:delete"),)
    present = ngettext_lazy("Clean Up", "Clean Up")


class Dismiss(RowAction):
    name = "dismiss"
    icon = "check"
    present = ngettext_lazy("Dismiss", "Dismiss")
    past = ngettext_lazy("Dismissed", "Dismissed")


class UpdateRow(tables.Row):
    """A row updated by ajax: ``fetch(request, row id)`` returns it, or None
    when it is gone."""

    ajax = True

    def fetch(self, request, row_id):
        raise NotImplementedError

    def get_data(self, request, row_id):
        row = self.fetch(request, row_id) if row_id else None
        if row is None:
            raise exceptions.NotFound()
        return row


class TableMeta:
    """The Meta both tables' own Meta classes extend (Horizon's DataTableOptions
    reads Meta with getattr, so these are inherited): ``state`` is the status
    column the ajax update polls."""

    status_columns = ("state",)
