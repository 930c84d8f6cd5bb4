"""Chinese pages for the failures Django answers itself (400/403/404/500 come from templates/)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page is English and technical; say what to do instead."""
    return render(request, "403_csrf.html", status=403)
