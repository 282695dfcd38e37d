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

"""Text the cloud's databases can store.

OpenStack databases commonly use MySQL's ``utf8`` (3-byte) character set: a
character outside the Basic Multilingual Plane (4 bytes in UTF-8, e.g. an
emoji) makes Cinder or Nova fail with an HTTP 500 after a launch started.
Forms refuse such text up front. Plain Python.
"""


def unstorable_characters(text):
    """The distinct 4-byte UTF-8 characters of ``text``, in order of appearance."""
    found = []
    for char in text or "":
        if ord(char) > 0xFFFF and char not in found:
            found.append(char)
    return found


def clean_text_fields(form):
    """Add a form error on every text field of ``form.cleaned_data`` holding
    4-byte characters (call from a Django form's clean())."""
    from django.utils.translation import gettext as _

    for name, value in list(form.cleaned_data.items()):
        values = value if isinstance(value, list | tuple) else [value]
        bad = [c for v in values if isinstance(v, str) for c in unstorable_characters(v)]
        if bad and name in form.fields:
            form.add_error(
                name,
                _(
                    "The cloud cannot store these characters (4-byte UTF-8, such as "
                    "emoji): %(chars)s. Remove them."
                )
                % {"chars": " ".join(dict.fromkeys(bad))},
            )
