"""State and lifecycle fields are writable through one door only: their service.

Every model that names ``EVENT_FIELDS`` (organization status/kind/territory/co-management,
grievance state, development stage, transfer state, ledger lines, inspection outcome, station
compliance) is checked against every registered ModelAdmin (the change form of an existing
record) and its bulk actions, every ModelSerializer (updating an existing record) and the survey
import's kinds (the one import path). A new door that leaves one of those fields writable fails here, by name.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from rest_framework import serializers

pytestmark = pytest.mark.django_db

PROTECTED = {model: tuple(model.EVENT_FIELDS) for model in apps.get_models() if getattr(model, "EVENT_FIELDS", None)}


def _import_doors() -> None:
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in {
            "core",
            "organizations",
            "members",
            "stations",
            "grievances",
            "points",
            "cadence",
            "surveys",
            "portal",
        }:
            continue
        for module in ("serializers", "api", "resources", "admin"):
            try:
                importlib.import_module(f"{config.name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.{module}":
                    raise


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_the_protected_models_are_the_ones_the_issue_names():
    names = {m._meta.label for m in PROTECTED}
    assert {
        "organizations.PartyOrganization",
        "grievances.Grievance",
        "members.DevelopmentRecord",
        "members.PartyMembership",
        "members.Transfer",
        "points.PointEntry",
        "stations.Inspection",
        "stations.Station",
    } <= names


def test_no_admin_change_form_writes_a_protected_field():
    superuser = get_user_model().objects.create_superuser("arch-admin", password="x")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    offenders = []
    for model, model_admin in admin.site._registry.items():
        fields = PROTECTED.get(model)
        if not fields:
            continue
        obj = model(pk=10**9)
        form = model_admin.get_form(request, obj, change=True)
        writable = sorted(set(fields) & set(form.base_fields))
        if writable:
            offenders.append(f"{type(model_admin).__name__}: {writable}")
        for inline in model_admin.get_inline_instances(request, obj):
            inner = PROTECTED.get(inline.model)
            if inner and inline.has_change_permission(request, obj):
                formset = inline.get_formset(request, obj)
                writable = sorted(set(inner) & set(formset.form.base_fields))
                if writable:
                    offenders.append(f"{type(inline).__name__}: {writable}")
    assert not offenders, "管理后台可直接修改状态字段：" + "；".join(offenders)


def test_no_serializer_updates_a_protected_field():
    _import_doors()
    offenders = []
    checked = 0
    for cls in set(_subclasses(serializers.ModelSerializer)):
        meta = getattr(cls, "Meta", None)
        model = getattr(meta, "model", None)
        if model not in PROTECTED or cls.__module__.startswith(("rest_framework", "drf_spectacular")):
            continue
        try:
            fields = cls(instance=model(pk=10**9), context={"request": None}).fields
        except (AssertionError, TypeError, KeyError):
            # A serializer that needs its own context to build; it is also covered by the walk
            # over the API, and listing it here keeps it from slipping by silently.
            offenders.append(f"{cls.__module__}.{cls.__name__}: 无法构建，无法检查")
            continue
        checked += 1
        for name in PROTECTED[model]:
            for field_name, field in fields.items():
                source = getattr(field, "source", field_name)
                if source == name and not field.read_only:
                    offenders.append(f"{cls.__module__}.{cls.__name__}.{field_name}")
    assert checked, "no serializer of a protected model was found: the discovery is broken"
    assert not offenders, "接口可直接修改状态字段：" + "；".join(sorted(offenders))


def test_no_survey_import_updates_a_protected_field():
    """The one import path (surveys, which the admin's 导入 leads to) sets lifecycle fields on a
    record it creates, and never compares or updates them on one that exists."""
    from surveys.specs import SPECS

    offenders = []
    for kind, spec in SPECS.items():
        fields = PROTECTED.get(spec.model)
        if not fields:
            continue
        every_column = {f.name for f in spec.fields} | {"district", "street"}
        written = {attr.removesuffix("_id") for attr in spec.compared_attrs(every_column)}
        offenders += [f"{kind}.{name}" for name in sorted(written & set(fields))]
    assert "organizations" in SPECS, "the organizations kind is gone: the check above saw nothing"
    assert not offenders, "导入可直接修改状态字段：" + "；".join(offenders)


def _writes_a_protected_field(function, fields: set[str]) -> list[str]:
    """Direct writes in an action's own code: ``qs.update(status=…)``, ``obj.status = …``,
    ``setattr(…)``. Going through a service is what the action should do instead."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            found += [f"update({k.arg}=…)" for k in node.keywords if k.arg in fields]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            found.append("setattr(…)")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Attribute) and leaf.attr in fields and isinstance(leaf.ctx, ast.Store):
                        found.append(f".{leaf.attr} = …")
    return found


def _uses_a_service(function) -> bool:
    """The action reaches a service function (called or handed to the confirm-and-loop helper)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            holder = function.__globals__.get(node.value.id)
            target = getattr(holder, node.attr, None) if holder is not None else None
        elif isinstance(node, ast.Name):
            target = function.__globals__.get(node.id)
        module = getattr(target, "__module__", "") or ""
        if callable(target) and ".services" in f".{module}":
            return True
    return False


def test_no_bulk_action_writes_a_protected_field():
    """Every admin action of a protected model changes state through its service, never by a
    queryset ``update()`` or an attribute set in the action (which would skip the event, the
    reason and the rule)."""
    superuser = get_user_model().objects.create_superuser("arch-actions", password="x")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    offenders, checked = [], 0
    for model, model_admin in admin.site._registry.items():
        fields = set(PROTECTED.get(model, ()))
        if not fields:
            continue
        fields |= {f"{name}_id" for name in fields}
        for name, (function, _name, _description) in model_admin.get_actions(request).items():
            if name == "delete_selected":
                continue  # Django's own: deletes, each through the admin's delete_queryset
            checked += 1
            where = f"{type(model_admin).__name__}.{name}"
            offenders += [f"{where}: {w}" for w in _writes_a_protected_field(function, fields)]
            if not _uses_a_service(function):
                offenders.append(f"{where}: 未经服务办理")
    assert checked >= 4, "no action of a protected model was found: the discovery is broken"
    assert not offenders, "批量操作可直接修改状态字段：" + "；".join(sorted(offenders))
