"""Glance's WSGI app with the LIGHTOS connector stand-in (lightos_stand_in.py).

Glance's cinder store attaches Lightbits volumes through os-brick to read and
write image data; uwsgi serves ``glance_api:application``.
"""

import lightos_stand_in

lightos_stand_in.install()

try:
    from glance.wsgi.api import application  # noqa: E402, F401
except ImportError:
    # Glance 28 (2024.1) has no glance.wsgi.api: its glance-wsgi-api script
    # builds the app with glance.common.wsgi_app.init_app().
    from glance.common import wsgi_app  # noqa: E402

    application = wsgi_app.init_app()
