"""/api/v1/: every app registers its viewsets on one router, bottom floor first."""

from importlib import import_module

from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle

from organizations.api import MeView

# Each module has ``register(router)``. Order is the floor order, bottom first.
API_MODULES = [
    "organizations.api",
]


class ThrottledObtainAuthToken(ObtainAuthToken):
    """POST username+password → token. Throttled, and django-axes locks repeated failures."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


def build_router() -> DefaultRouter:
    router = DefaultRouter()
    for module_name in API_MODULES:
        import_module(module_name).register(router)
    return router


api_urlpatterns = [
    path("auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    *build_router().urls,
]
