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

"""Form fields the panel's forms and workflow steps share."""

from horizon import forms


def optional_checkbox(label, help_text=""):
    """A checkbox that may stay unticked (Django's BooleanField is required
    unless told otherwise)."""
    return forms.BooleanField(label=label, required=False, help_text=help_text)
