"""The state machine: legal moves only, an append-only timeline, and concurrency on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from grievances.models import Grievance, GrievanceEvent
from grievances.services import (
    IllegalTransition,
    grievance_accept,
    grievance_mark_duplicate,
    grievance_reject,
    grievance_reopen,
    grievance_resolve,
    next_ticket,
    prepare_ticket_sequences,
)

S = Grievance.State


@pytest.mark.django_db
@pytest.mark.smoke
def test_happy_path_writes_one_event_per_move(submit, fuzimiao_cadre):
    grievance = submit()
    grievance = grievance_accept(grievance=grievance, actor=fuzimiao_cadre)
    assert grievance.state == S.IN_PROGRESS and grievance.responded_at
    grievance = grievance_resolve(grievance=grievance, actor=fuzimiao_cadre, resolution="已协调物业放行")
    assert grievance.state == S.RESOLVED
    moves = list(grievance.events.filter(kind="transition").values_list("old_state", "new_state", "actor"))
    assert moves == [
        (S.ASSIGNED, S.IN_PROGRESS, fuzimiao_cadre.pk),
        (S.IN_PROGRESS, S.RESOLVED, fuzimiao_cadre.pk),
    ]


@pytest.mark.django_db
def test_illegal_moves_are_refused(submit, fuzimiao_cadre):
    grievance = submit()
    grievance_reject(grievance=grievance, actor=fuzimiao_cadre, reason="重复反映，已在热线办理")
    with pytest.raises(IllegalTransition, match="不予受理"):
        grievance_accept(grievance=grievance, actor=fuzimiao_cadre)
    with pytest.raises(IllegalTransition):
        grievance_reopen(grievance=Grievance.objects.get(pk=grievance.pk), reason="没解决")
    with pytest.raises(ValidationError, match="原因"):
        grievance_reject(grievance=submit("另一件"), actor=fuzimiao_cadre, reason="  ")


@pytest.mark.django_db
def test_events_are_append_only(submit):
    event = submit().events.first()
    event.note = "改写"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.django_db
def test_duplicate_links_to_the_root_master(submit, fuzimiao_cadre):
    first, second, third = submit("一"), submit("二"), submit("三")
    grievance_mark_duplicate(grievance=second, master=first, actor=fuzimiao_cadre)
    third = grievance_mark_duplicate(grievance=third, master=Grievance.objects.get(pk=second.pk), actor=fuzimiao_cadre)
    assert third.state == S.DUPLICATE and third.duplicate_of == first
    with pytest.raises(ValidationError):
        grievance_mark_duplicate(grievance=first, master=first, actor=fuzimiao_cadre)


@pytest.mark.django_db
def test_stale_form_is_refused(submit, fuzimiao_cadre):
    grievance = submit()
    grievance_accept(grievance=grievance, actor=fuzimiao_cadre)
    with pytest.raises(IllegalTransition, match="已被他人处理"):
        grievance_resolve(grievance=grievance, actor=fuzimiao_cadre, resolution="好了", expected=S.ASSIGNED)


def _race(target, n=2):
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_resolutions_produce_one(submit, fuzimiao_cadre):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    grievance = submit()
    grievance_accept(grievance=grievance, actor=fuzimiao_cadre)
    results = _race(
        lambda: grievance_resolve(
            grievance=Grievance.objects.get(pk=grievance.pk), actor=fuzimiao_cadre, resolution="已处理"
        ),
        n=4,
    )
    assert sum(isinstance(r, Grievance) for r in results) == 1
    assert sum(isinstance(r, IllegalTransition) for r in results) == 3
    assert GrievanceEvent.objects.filter(grievance=grievance, new_state=S.RESOLVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_resolve_and_reject(submit, fuzimiao_cadre):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    grievance = submit()
    barrier = threading.Barrier(2)
    outcomes = []

    def act(fn):
        def run():
            try:
                barrier.wait()
                outcomes.append(fn(grievance=Grievance.objects.get(pk=grievance.pk)))
            except IllegalTransition as exc:
                outcomes.append(exc)
            finally:
                connections.close_all()

        return run

    threads = [
        threading.Thread(
            target=act(lambda grievance: grievance_resolve(grievance=grievance, actor=None, resolution="好"))
        ),
        threading.Thread(
            target=act(lambda grievance: grievance_reject(grievance=grievance, actor=None, reason="不受理"))
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grievance.refresh_from_db()
    assert grievance.state in (S.RESOLVED, S.REJECTED)
    assert GrievanceEvent.objects.filter(grievance=grievance, new_state__in=[S.RESOLVED, S.REJECTED]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ticket_numbers_are_unique_under_concurrency(db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    results = _race(next_ticket, n=6)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 6
    # The day's sequence lives outside transactions: other tests may have drawn numbers already.
    numbers = sorted(int(r[-5:]) for r in results)
    assert numbers[-1] - numbers[0] >= 5


@pytest.mark.django_db(transaction=True)
def _in_own_connection(fn):
    """Run ``fn`` on a connection of its own (committed at once, unlike the test's transaction)."""
    result: list = []

    def run():
        try:
            result.append(fn())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


def test_a_ticket_number_does_not_wait_for_an_open_intake(db):
    """An intake's transaction may stay open a while (photos, the audit entry): a second intake's
    number must not wait for it. The day's sequence was made ahead, as the daily beat does."""
    if connection.vendor != "postgresql":
        pytest.skip("sequences are PostgreSQL")
    from django.db import transaction

    assert _in_own_connection(prepare_ticket_sequences) == 4
    started, done = threading.Event(), threading.Event()
    other: list = []

    def hold_open():
        with transaction.atomic():
            other.append(next_ticket())
            started.set()
            done.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=hold_open)
    holder.start()
    try:
        assert started.wait(timeout=30)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            mine = next_ticket()  # would fail on lock_timeout if it queued behind the holder
        assert mine != other[0]
    finally:
        done.set()
        holder.join()


def test_ticket_sequences_are_made_ahead_idempotently(db):
    if connection.vendor != "postgresql":
        assert prepare_ticket_sequences() == 0
        return
    today = timezone.localdate()
    assert prepare_ticket_sequences(days_ahead=2, today=today) == 3
    assert prepare_ticket_sequences(days_ahead=2, today=today) == 3  # again: nothing new, no error
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE 'grievance_ticket_%%'")
        made = {name for (name,) in cursor.fetchall()}
    for n in range(3):
        assert f"grievance_ticket_{today + timedelta(days=n):%Y%m%d}" in made
    # A day made ahead numbers its cases as any day does.
    later = timezone.now() + timedelta(days=2)
    assert next_ticket(now=later).startswith(f"SQ{timezone.localdate(later):%Y%m%d}-")
