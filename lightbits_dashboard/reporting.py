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
