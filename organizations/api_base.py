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
    wrapped.scope_checked = True
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
            if action is not None and not getattr(action, "scope_checked", False):
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


class EventFieldsSerializerMixin:
    """The model's ``EVENT_FIELDS`` (state and placement) are set when a record is created and
    change afterwards only through the service that records the event. On an existing record they
    are read-only, and a request that tries to change one gets a Chinese 400 saying where to go
    (silently ignoring it would let the caller believe the change was made)."""

    event_hint = "请通过生命周期事件办理"

    def get_fields(self):
        fields = super().get_fields()
        if self._editing_one():
            for name in getattr(self.Meta.model, "EVENT_FIELDS", ()):
                if name in fields:
                    fields[name].read_only = True
        return fields

    def _editing_one(self) -> bool:
        from django.db.models import Model

        return isinstance(self.instance, Model)

    def validate(self, attrs):
        if self._editing_one() and hasattr(self, "initial_data"):
            errors = {}
            for name in getattr(self.Meta.model, "EVENT_FIELDS", ()):
                if name not in self.initial_data:
                    continue
                field = self.Meta.model._meta.get_field(name)
                sent, current = self.initial_data[name], getattr(self.instance, field.attname)
                if ("" if sent is None else str(sent)) != ("" if current is None else str(current)):
                    errors[name] = f"“{field.verbose_name}”不能直接修改，{self.event_hint}"
            if errors:
                raise serializers.ValidationError(errors)
        return super().validate(attrs)


class RoleReadOnlySerializerMixin:
    """Fields a role may not change are read-only for that role in the API, as the admin shows
    them read-only for it (``role_read_only_fields(user)``, asked when one record is edited).
    A write-only field (a full ID number) is dropped instead: the role sees only its mask. A
    request that sends another value anyway gets a Chinese 400 naming the field rather than a
    silent 200 that would let the caller believe the change was made."""

    role_read_only_message = "您的岗位不能修改此项"

    def role_read_only_fields(self, user) -> tuple[str, ...]:
        return ()

    def _role_locked(self) -> tuple[str, ...]:
        from django.db.models import Model

        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not isinstance(self.instance, Model):
            return ()
        return tuple(self.role_read_only_fields(user))

    def get_fields(self):
        fields = super().get_fields()
        for name in self._role_locked():
            if name not in fields:
                continue
            if fields[name].write_only:
                del fields[name]
            else:
                fields[name].read_only = True
        return fields

    def _current(self, name: str) -> str:
        from django.core.exceptions import FieldDoesNotExist

        try:
            attname = self.Meta.model._meta.get_field(name).attname
        except FieldDoesNotExist:
            attname = name
        value = getattr(self.instance, attname, None)
        return "" if value is None else str(value)

    def to_internal_value(self, data):
        locked = self._role_locked()
        if locked and hasattr(data, "get"):
            errors = {
                name: self.role_read_only_message
                for name in locked
                if name in data and ("" if data.get(name) is None else str(data.get(name))) != self._current(name)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ModelCleanSerializerMixin:
    """Runs the model's own ``clean()`` (dates, codes, phones, coordinates) on the record as it
    would be saved, so the API refuses exactly what the admin form and the services refuse: one
    validation place, every door. Errors come back as a Chinese 400 keyed by field."""

    def validate(self, attrs):
        from django.core.exceptions import ValidationError as DjangoValidationError

        attrs = super().validate(attrs)
        model = self.Meta.model
        concrete = {f.name for f in model._meta.concrete_fields}
        instance = model(**{k: v for k, v in attrs.items() if k in concrete})
        if self.instance is not None and not hasattr(self.instance, "__iter__"):
            instance.pk = self.instance.pk
            instance._state.adding = False
            for name in concrete - set(attrs):
                setattr(instance, name, getattr(self.instance, name))
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from exc
        for name in concrete & set(attrs):
            # clean() may normalise a code (upper-case, half-width): save what it settled on.
            attrs[name] = getattr(instance, name)
        return attrs


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
