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

"""The rows of the Conversions page: one volume list and one image list
(plus cache reads) for the page, filtered lists for a row's ajax update."""

from openstack_dashboard import api

from lightbits_dashboard.convert import engine, record
from lightbits_dashboard.dashboards.project.lightbits_images import jobs
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import texts
from lightbits_dashboard.dashboards.project.lightbits_images.conversions.failures import (
    ConversionLog,
)


class ConversionRow:
    def __init__(self, rec, state, volume_id=None, message=""):
        self.id = rec.conversion_id
        self.record = rec
        self.state = state
        self.source_name = rec.source_name or rec.source_id
        self.new_name = rec.new_name
        self.image_id = rec.image_id
        self.volume_id = volume_id
        self.message = message
        self.route = texts.ROUTES.get(rec.route, "") if rec.route else ""


def _message(rec, state):
    if state == record.ERROR:
        return texts.failure_text(rec)
    if state == record.INTERRUPTED:
        return texts.INTERRUPTED
    if rec.route == record.ROUTE_GLANCE:
        return texts.WARNINGS[engine.THROUGH_GLANCE]
    return ""


def _rows(project_id, volumes, images):
    """Rows by conversion id: failures, then finished images, then volumes."""
    found = {}
    for volume in volumes:
        if not record.is_temporary_volume(getattr(volume, "name", "")):
            continue
        rec = record.decode(getattr(volume, "metadata", None))
        if rec:
            found[rec.conversion_id] = (rec, volume.id)
    unhashed = set()
    for image in images:
        rec = record.from_image(image.id, image.name, getattr(image, "properties", {}))
        if rec and (rec.stage == record.ACTIVE or rec.conversion_id not in found):
            volume_id = found.get(rec.conversion_id, (None, None))[1]
            found[rec.conversion_id] = (rec, volume_id)
            if not getattr(image, "os_hash_value", None):
                unhashed.add(rec.conversion_id)
    for cid, entry in ConversionLog().entries(project_id).items():
        found[cid] = (entry["record"], found.get(cid, (None, None))[1])
    alive = jobs.heartbeat().alive(sorted(found)) if found else set()
    rows = []
    for cid, (rec, volume_id) in found.items():
        state = record.row_state(rec, alive=cid in alive)
        message = _message(rec, state)
        if state == record.ACTIVE and cid in unhashed:
            message = texts.WARNINGS[engine.NOT_HASHED]
        rows.append(ConversionRow(rec, state, volume_id, message))
    return sorted(rows, key=lambda r: (r.source_name, r.id))


def _own_images(request, filters=None):
    filters = dict(filters or {}, owner=request.user.project_id)
    images, _more, _prev = api.glance.image_list_detailed(request, filters=filters)
    return images


def conversion_rows(request):
    """Every conversion of the project: one volume list, one image list."""
    volumes = api.cinder.volume_list(request)
    return _rows(request.user.project_id, volumes, _own_images(request))


def conversion_row(request, row_id):
    """One row for the table's ajax (a filtered volume list and image list)."""
    key = record.PREFIX + "id"
    volumes = api.cinder.volume_list(request, search_opts={"metadata": {key: row_id}})
    images = _own_images(request, {key: row_id})
    for row in _rows(request.user.project_id, volumes, images):
        if row.id == row_id:
            return row
    return None
