"""/api/v1/: every app registers its viewsets on one router, bottom floor first."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import path
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle

from core.authentication import ExpiringTokenAuthentication, token_expired, token_lifetime
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
    "cobuild",
    "grievances",
    "points",
    "training",
    "friendly",
    "surveys",
    "cadence",
    "volunteers",
    "assessment",
    "portal",
}


class ThrottledObtainAuthToken(ObtainAuthToken):
    """POST username+password → token (a fresh one once the old has expired); DELETE with the
    token → revoked. Throttled, and django-axes locks repeated failures."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token = Token.objects.filter(user=user).first()
        if token is not None and token_expired(token):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token.created + token_lifetime()})

    def delete(self, request, *args, **kwargs):
        auth = ExpiringTokenAuthentication().authenticate(request)
        if auth is None:
            return Response({"detail": "请在 Authorization 头中携带要吊销的令牌"}, status=400)
        auth[1].delete()
        return Response(status=204)


def build_router() -> DefaultRouter:
    router = DefaultRouter()
    for module_name in api_modules():
        import_module(module_name).register(router)
    return router


# The public intake is the API's hot route (every case from an app): listed first, it resolves in
# one match instead of walking the router's few hundred patterns (~0.25 ms a request). Only paths
# that route already took move ahead of the rest, so no other path resolves differently.
HOT_ROUTES = {"grievance-intake"}


def hot_first(patterns: list) -> list:
    hot = [p for p in patterns if getattr(p, "name", None) in HOT_ROUTES]
    return [*hot, *(p for p in patterns if getattr(p, "name", None) not in HOT_ROUTES)]


api_urlpatterns = hot_first(
    [
        path("auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
        path("me/", MeView.as_view(), name="api-me"),
        *build_router().urls,
    ]
)
