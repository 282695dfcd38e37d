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

"""The Conversions table's row actions: finish, clean up, dismiss; each
re-reads its row and refuses a forged or stale id."""

from django.utils.translation import gettext as _
from openstack_dashboard import api

from lightbits_dashboard.convert import engine, preflight, record
from lightbits_dashboard.dashboards.project.lightbits_images import data, jobs
from lightbits_dashboard.dashboards.project.lightbits_images.conversions import (
    checks,
    driver,
    lock,
    rows,
    texts,
)
from lightbits_dashboard.dashboards.project.lightbits_images.conversions.failures import (
    ConversionLog,
)
from lightbits_dashboard.launch import runner


def row_or_refuse(request, row_id):
    row = rows.conversion_row(request, row_id)
    if row is None:
        raise ValueError(_("Refused: %s is not a conversion of this project.") % row_id)
    return row


def clean_up(request, row_id):
    """Delete what an interrupted or failed conversion left (background)."""
    row = row_or_refuse(request, row_id)
    if row.state not in (record.INTERRUPTED, record.ERROR) or not (row.volume_id or row.image_id):
        raise ValueError(_("Only an interrupted or failed conversion that left something."))
    converter = driver.make_converter(request, row_id)
    runner.start(jobs.heartbeat(), row_id, converter.clean_up, row.record, row.volume_id)


def finish(request, row_id):
    """Resume an interrupted conversion from its recorded stage (background),
    or refuse (ValueError) with why it cannot be finished safely."""
    row = row_or_refuse(request, row_id)
    if row.state != record.INTERRUPTED:
        raise ValueError(texts.finish_refusal(engine.FINISH_NOT_INTERRUPTED, row.state))
    src = checks.source(request, row.record.source_id)
    converter = driver.make_converter(request, row_id, source_id=src.id)
    step, refusal = converter.resume_point(row.record, row.volume_id)
    if refusal:
        raise ValueError(texts.finish_refusal(*refusal))
    stores = tuple(data.store_volume_types())
    size = preflight.temporary_volume_gib(src)
    plan = engine.Plan(row.record, src, checks.store_volume_type(src.store), size, stores)
    try:
        lock.take(request, src.id, row_id)
    except lock.Busy as busy:
        raise ValueError(texts.problem_text(busy.problem))
    work = lock.releasing(src.id, row_id, converter.finish)
    runner.start(jobs.heartbeat(), row_id, work, plan, row.volume_id, step)


def dismiss(request, row_id):
    """Forget a finished conversion; both images and their pointers stay."""
    row = row_or_refuse(request, row_id)
    if row.state == record.ERROR and not row.volume_id:
        ConversionLog().remove(request.user.project_id, row_id)
        return
    if row.state != record.ACTIVE:
        raise ValueError(_("Only a finished conversion can be dismissed."))
    glance = api.glance.glanceclient(request)
    glance.images.update(row.image_id, remove_props=[record.IMAGE_STATE])
