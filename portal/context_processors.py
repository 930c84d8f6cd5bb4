from django.conf import settings

from members.selectors import whole_code_notice


def portal(request):
    return {"site_name": settings.PORTAL_SITE_NAME}


def search_notice(request):
    """Why a whole phone or ID number typed into this page's search was not matched whole
    (``members.selectors.whole_code_notice``). A callable: evaluated only by the pages built on
    ``base.html``, which show it above their content; the admin shows it as a message."""
    return {"whole_code_notice": lambda: whole_code_notice(getattr(request, "user", None))}
