"""Fixtures of the grievance tests: the taxonomy, rules, a memory SMS box and clean limits."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache

from grievances import taxonomy
from grievances.models import Category, RoutingRule


@pytest.fixture(autouse=True)
def _grievance_env(settings):
    from core import sms

    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    sms.outbox.clear()
    cache.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def categories(world):
    # Installed by a data migration, but transactional tests flush it: install again.
    taxonomy.install(django_apps)
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def meals_rule(world, categories):
    """就餐 → 市场监管局 for the whole city."""
    return RoutingRule.objects.create(category=categories["meals"], territory=world.city, body=world.scjg)


@pytest.fixture
def submit(world, categories, django_capture_on_commit_callbacks):
    """Submit a case and run its after-commit triage, as the web request + worker would."""
    from grievances.services import grievance_create

    def _submit(text="小区保安不让快递员进门", territory=None, **kwargs):
        kwargs.setdefault("channel", "web")
        kwargs.setdefault("contact_phone", "13812345678")
        with django_capture_on_commit_callbacks(execute=True):
            grievance = grievance_create(text=text, territory=territory or world.chaokujie, **kwargs)
        grievance.refresh_from_db()
        return grievance

    return _submit
