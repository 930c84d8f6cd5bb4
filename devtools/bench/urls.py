"""URLs of the benchmark's gunicorn: every URL of the portal plus one minimal view, the baseline
the intake's throughput is compared with. Selected by ``devtools.bench.server_settings`` only."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

MINIMAL_PATH = "/__bench__/minimal/"


def minimal(request):
    """No database, no template, no session: Django's floor under the portal's middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


# First, so that resolving it costs one regex match: the baseline is the framework, not the
# length of the portal's URL list.
urlpatterns = [path(MINIMAL_PATH.strip("/") + "/", minimal, name="bench-minimal"), *portal_urlpatterns]
