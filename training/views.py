"""Staff pages: the year's overview (figures, budget lines, sessions, hours per person) and a
session's roster (enrol, mark attendance, Excel export). Pages parse, check and call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.exports import export_response, list_export
from members.models import Person
from members.selectors import phone_search_q
from organizations.models import PartyOrganization
from organizations.scope import get_visible_or_404, restrict
from training import selectors, services
from training.models import Enrolment, Session


def _year(request) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
@permission_required("training.view_session", raise_exception=True)
@require_safe
def overview(request):
    # ``?export=xlsx`` writes the hours per person, with ``list=organizations`` per organization.
    key = "training.organizations" if request.GET.get("list") == "organizations" else "training.hours"
    if (exported := list_export(request, key)) is not None:
        return exported
    year = _year(request)
    user = request.user
    return render(
        request,
        "training/overview.html",
        {
            "year": year,
            "figures": selectors.figures(user, year),
            "budgets": selectors.budgets(user, year),
            "sessions": list(selectors.session_rows(user, year)[:100]),
            "hours": selectors.hours_per_person(user, year, limit=30),
        },
    )


def _session(request, pk):
    return get_visible_or_404(Session.objects.select_related("course", "budget"), request.user, pk=pk)


@login_required
@permission_required("training.view_session", raise_exception=True)
@require_safe
def session_detail(request, pk: int):
    session = _session(request, pk)
    q = request.GET.get("q", "").strip()
    candidates = []
    if q and request.user.has_perm("training.add_enrolment"):
        people = restrict(Person.objects.all(), request.user)
        # A phone by the one rule (whole, or the mask's 4 digits; spaces and full width folded).
        people = people.filter(phone_search_q(q, viewer=request.user) or Q(name__startswith=q))
        candidates = list(people.exclude(training_enrolments__session=session).order_by("name", "id")[:20])
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "enrolments": list(session.enrolments.select_related("person", "organization").order_by("id")),
            "q": q,
            "candidates": candidates,
            "posts": Enrolment.Post.choices,
            "organizations": list(restrict(PartyOrganization.objects.order_by("path"), request.user)[:300]),
        },
    )


@login_required
@permission_required("training.add_enrolment", raise_exception=True)
@require_POST
def enrol(request, pk: int):
    session = _session(request, pk)
    person_pk, org_pk = request.POST.get("person", ""), request.POST.get("organization", "")
    if not person_pk.isdigit():
        messages.error(request, "学员：请选择")
        return redirect("training:session", pk=pk)
    person = get_visible_or_404(Person.objects.all(), request.user, pk=int(person_pk))
    organization = None
    if org_pk.isdigit():
        organization = get_visible_or_404(PartyOrganization.objects.all(), request.user, pk=int(org_pk))
    try:
        services.enrolment_add(
            session=session,
            person=person,
            post=request.POST.get("post", ""),
            organization=organization,
            actor=request.user,
        )
        messages.success(request, f"{person.name} 已报名")
    except services.TrainingError as exc:
        messages.error(request, str(exc))
    return redirect("training:session", pk=pk)


@login_required
@permission_required("training.change_enrolment", raise_exception=True)
@require_POST
def attendance(request, pk: int):
    """One submit marks the whole roster: each enrolment's radio says present or absent."""
    session = _session(request, pk)
    done, failed = 0, []
    for enrolment in session.enrolments.select_related("person").order_by("id"):
        choice = request.POST.get(f"e{enrolment.pk}")
        if choice not in ("attended", "absent"):
            continue
        try:
            services.attendance_record(enrolment=enrolment, attended=choice == "attended", actor=request.user)
            done += 1
        except services.TrainingError as exc:
            failed.append(f"{enrolment.person.name}：{exc}")
    if failed:
        messages.error(request, "；".join(failed))
    messages.success(request, f"已登记 {done} 人考勤")
    return redirect("training:session", pk=pk)


@login_required
@permission_required("training.view_session", raise_exception=True)
@require_safe
def roster_export(request, pk: int):
    session = _session(request, pk)
    return export_response(request, key="training.roster", params={"session": str(session.pk)})
