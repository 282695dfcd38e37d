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

"""The base of the plugin's tables."""

from django.template.defaultfilters import truncatechars
from django.utils.html import format_html
from django.utils.translation import gettext
from horizon import tables


class DataTable(tables.DataTable):
    """Horizon's DataTable with column headers in the request's language.

    Horizon 24 (2024.1) turns a column's ``verbose_name`` into ``str`` when
    the table class is made, at import, so its headers stay in the language
    of the import (English), for Horizon's own tables too; Horizon 25 keeps
    the lazy text. Each table instance has its own copies of the columns, so
    a frozen header is looked up again here, in the request's language.
    """

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        for column in self.columns.values():
            if type(column.verbose_name) is str and column.verbose_name:
                column.verbose_name = gettext(column.verbose_name)


def one_line(text, limit=None, title=None):
    """A cell's value kept to one line: ``text`` cut to ``limit`` characters,
    its whole (or ``title``, the row's details) shown on hover."""
    text = "" if text is None else str(text)
    if limit and len(text) > limit:
        title = title or text
        text = truncatechars(text, limit)
    if not title:
        return text
    return format_html('<span title="{}">{}</span>', title, text)


def _nowrap(data):
    return {"class": "text-nowrap"}


class OneLineColumn(tables.Column):
    """Horizon's Column whose cells keep to one line (Bootstrap's text-nowrap;
    the header may wrap): a long value is cut (``truncate`` or one_line),
    whole on hover, instead of wrapping the row onto several lines."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("cell_attributes_getter", _nowrap)
        super().__init__(*args, **kwargs)
