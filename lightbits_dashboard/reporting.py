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

"""Error reports without the Lightbits JWT.

Django's error reports (the DEBUG page, the mails to ADMINS) list the
settings, hiding the values of keys that look secret
(API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE): a cluster's "jwt" key is not one
of them. This filter, Horizon's own (always active, even with DEBUG) plus
JWT, is named by Horizon's setting::

    DEFAULT_EXCEPTION_REPORTER_FILTER = "lightbits_dashboard.reporting.ReporterFilter"
"""

import re

from django.views.debug import SafeExceptionReporterFilter
from horizon.exceptions import HorizonReporterFilter

_DJANGO = SafeExceptionReporterFilter.hidden_settings


class ReporterFilter(HorizonReporterFilter):
    hidden_settings = re.compile(_DJANGO.pattern + "|JWT", _DJANGO.flags)
