"""Base classes every API viewset of the portal uses, so each goes through the scope door —
for reads (``restrict``) and for writes (``assert_placed`` after the save, before the commit)."""

from __future__ import annotations

from auditlog.context import auditlog_value
from django.db import transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException

from organizations.scope import OutOfScope, assert_placed, placeable, restrict


class ObjectResponseSchema(AutoSchema):
    """For a viewset whose ``list`` answers one report object, not a page of rows: without this
    drf-spectacular documents every ``list`` as an array (and the schema then lies)."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该记录仍被其他记录引用，不能删除"
    default_code = "protected"


def attach_audit_actor(request) -> None:
    """auditlog's middleware reads ``request.user`` before DRF has authenticated a token, so a
    token write would be logged without its actor. DRF's ``initial()`` knows the user: put it
    into the audit context the middleware opened for this request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None:
        context["actor"] = user


def _conflict(exc) -> Conflict:
    blockers = sorted({str(obj._meta.verbose_name) for obj in list(exc.args[1])[:50]})
    return Conflict(f"该记录仍被其他记录（{'、'.join(blockers)}）引用，不能删除")


def _placed(action):
    """Wrap a viewset's create/update/destroy: one transaction, rolled back when the record
    after the write lies outside the writer's scope; a protected delete answers 409."""

    def wrapped(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                response = action(self, request, *args, **kwargs)
                instance = getattr(self._write_serializer, "instance", None)
                if response.status_code < 300 and isinstance(instance, Model):
                    assert_placed(request.user, instance)
                return response
        except (ProtectedError, RestrictedError) as exc:
            raise _conflict(exc) from exc

    wrapped.__name__ = action.__name__
    wrapped.__doc__ = action.__doc__
    wrapped._placed = True
    return wrapped


class ScopedViewSetMixin:
    """``get_queryset`` runs ``queryset`` (with its select_related) through the scope rule, and
    every create/update/destroy runs in one transaction that is rolled back when the record,
    after the write, no longer lies inside the writer's scope (THE write rule).

    Objects outside the caller's scope are simply not in the queryset, so a detail request for
    one answers 404 exactly like a missing id.
    """

    _write_serializer = None

    def __init_subclass__(cls, **kwargs):
        # Wrap whichever write actions the concrete class has (from DRF's mixins or its own),
        # without giving read-only viewsets a create/update the router would then route.
        super().__init_subclass__(**kwargs)
        for name in ("create", "update", "partial_update", "destroy"):
            action = cls.__dict__.get(name) or getattr(cls, name, None)
            if action is not None and not getattr(action, "_placed", False):
                setattr(cls, name, _placed(action))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        attach_audit_actor(request)

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        self._write_serializer = serializer
        return serializer

    def permission_denied(self, request, message=None, code=None):
        # A signed-in user asking for one record they may not use learns nothing: 404, as
        # for an id that does not exist. Lists without permission stay 403 (no count leaks).
        if request.user.is_authenticated and self.lookup_url_kwarg_value() is not None:
            raise Http404
        super().permission_denied(request, message=message, code=code)

    def lookup_url_kwarg_value(self):
        return self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A writable FK whose choices are the nodes the requesting user may place a record under
    (``placeable``: territory is not shared reference data for writers), so a street cadre
    cannot place a record in another street, nor a station manager in another district."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return placeable(queryset, request.user if request else None)


class ScopedWriteSerializerMixin:
    """Swap every writable FK of a ModelSerializer for its scoped twin."""

    serializer_related_field = ScopedPrimaryKeyRelatedField


__all__ = [
    "Conflict",
    "ObjectResponseSchema",
    "OutOfScope",
    "ScopedModelViewSet",
    "ScopedPrimaryKeyRelatedField",
    "ScopedReadOnlyViewSet",
    "ScopedViewSetMixin",
    "ScopedWriteSerializerMixin",
    "attach_audit_actor",
]
