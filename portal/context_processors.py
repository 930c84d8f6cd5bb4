from django.conf import settings


def portal(request):
    return {"site_name": settings.PORTAL_SITE_NAME}
