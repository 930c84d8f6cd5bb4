"""Base classes every API viewset of the portal uses, so each goes through the scope door."""

from __future__ import annotations

from django.http import Http404
from rest_framework import serializers, viewsets

from organizations.scope import restrict


class ScopedViewSetMixin:
    """``get_queryset`` runs ``queryset`` (with its select_related) through the scope rule.

    Objects outside the caller's scope are simply not in the queryset, so a detail request for
    one answers 404 exactly like a missing id.
    """

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)

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
    """A writable FK whose choices are what the requesting user may see (so a street cadre
    cannot place a record in another street by posting its id)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return restrict(queryset, request.user if request else None)


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
