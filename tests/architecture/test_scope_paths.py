"""Every path a ScopeSpec names resolves on its model (issue 13's walk found one that did not:
a membership placed under the home station by a field that had moved to points.HomeStation).
A broken path fails only when a scope of that kind is asked for — a station manager opening a
list — so it is checked here for every model and every kind of post, without a database."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldError

from organizations.scope import SELF, _paths


def test_every_scope_path_resolves():
    broken, checked = [], 0
    for model in apps.get_models():
        spec = getattr(model, "scope", None)
        if spec is None:
            continue
        for kind in ("territory", "organization", "body", "station_post"):
            value = getattr(spec, kind, None)
            if not value:
                continue
            for path in _paths(value):
                if path == SELF:
                    continue
                checked += 1
                try:
                    model._default_manager.filter(**{f"{path}__in": []})
                except FieldError as exc:
                    broken.append(f"{model._meta.label}.scope.{kind}: {path} ({exc})")
    assert checked > 30, checked
    assert not broken, "\n".join(broken)
