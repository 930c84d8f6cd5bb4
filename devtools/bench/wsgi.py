"""WSGI entry of the benchmark's gunicorn: the portal with ``devtools.bench.server_settings``.

The settings module is forced, not defaulted: the process that starts gunicorn (``manage.py
bench``, pytest) exports ``DJANGO_SETTINGS_MODULE=portal.settings``, which must not win here.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "devtools.bench.server_settings"
application = get_wsgi_application()
