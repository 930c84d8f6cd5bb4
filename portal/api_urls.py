"""/api/v1/: every app registers its viewsets on one router, bottom floor first."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle

from organizations.api import MeView


def api_modules() -> list[str]:
    """Every installed app of ours with an ``api`` module, in INSTALLED_APPS (floor) order.

    Each such module has ``register(router)``.
    """
    names = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.api"
        if config.name.split(".")[0] in OUR_PACKAGES and find_spec(module_name) is not None:
            names.append(module_name)
    return names


OUR_PACKAGES = {
    "core",
    "organizations",
    "members",
    "stations",
    "grievances",
    "points",
    "friendly",
    "surveys",
    "cadence",
    "portal",
}


class ThrottledObtainAuthToken(ObtainAuthToken):
    """POST username+password → token. Throttled, and django-axes locks repeated failures."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


def build_router() -> DefaultRouter:
    router = DefaultRouter()
    for module_name in api_modules():
        import_module(module_name).register(router)
    return router


api_urlpatterns = [
    path("auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    *build_router().urls,
]
