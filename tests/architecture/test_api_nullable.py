"""A field that can answer null is declared nullable in the OpenAPI schema (issue 20).

drf-spectacular marks a field nullable from its ``allow_null``. A model field with ``null=True``
that a ModelSerializer maps itself gets it; a field declared by hand does not — most often one
that reads through a relation (``source="station.code"``) where the relation may be empty, and
then answers null (or its ``default=None``) under a schema that says string. Schemathesis only
finds these when the test data happen to hold such a row; this walks every serializer the API
router serves, nested ones included, and names the offenders.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers
from rest_framework.fields import empty

from portal.api_urls import build_router


def _may_be_null(model, source: str) -> bool:
    for part in source.split("."):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a property or method: its type is the serializer's business
        if field.one_to_many or field.many_to_many:
            return False  # a list, empty at worst
        if getattr(field, "null", False):
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def _offenders(serializer, label: str, seen: set) -> list[str]:
    if type(serializer) in seen:
        return []
    seen.add(type(serializer))
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    found = []
    for name, field in serializer.fields.items():
        nested = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(nested, serializers.BaseSerializer):
            found += _offenders(nested, f"{label}.{name}", seen)
        source = field.source or name
        if model is None or source == "*" or field.allow_null or field.write_only:
            continue
        if field.default is not empty and field.default is not None:
            continue  # answers its default, not null
        if _may_be_null(model, source):
            found.append(f"{label}.{name} ({source})")
    return found


def test_every_field_that_can_answer_null_is_nullable():
    seen: set = set()
    offenders = []
    checked = 0
    for prefix, viewset, _basename in build_router().registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None:
            continue
        checked += 1
        offenders += _offenders(serializer_class(), prefix, seen)
    assert checked > 20, "the router walk found no serializers"
    assert not offenders, "可能返回 null 却未声明 nullable：" + "；".join(offenders)
