"""Enqueue a Celery task by its registered name once the current transaction commits.

Services must not import their app's ``tasks`` module (tasks import services, not the other way
round), so they name the task instead. ``send_task`` alone would ignore ``task_always_eager``
(development without a worker, the test suite), so a task the process knows — after the
registered apps' task modules are loaded once — is sent with ``apply_async``, which honours it.
Sending after commit means a worker never looks for a row that is not yet visible (or was
rolled back).
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue_on_commit(name: str, *args) -> None:
    """Run task ``name`` with ``args`` after the surrounding transaction commits (now if none)."""
    transaction.on_commit(lambda: send_task(name, *args))


def send_task(name: str, *args) -> None:
    task = current_app.tasks.get(name)
    if task is None:
        # Task modules are discovered lazily; web processes load them on first use.
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    if task is None:
        current_app.send_task(name, args=args)
    else:
        task.apply_async(args=args)
