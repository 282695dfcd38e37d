"""Glance's WSGI app with the LIGHTOS connector stand-in (lightos_stand_in.py).

Glance's cinder store attaches Lightbits volumes through os-brick to read and
write image data; uwsgi serves ``glance_api:application``.
"""

import lightos_stand_in

lightos_stand_in.install()

from glance.wsgi.api import application  # noqa: E402, F401
