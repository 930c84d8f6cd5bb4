"""Governance projects: recurring clusters become proposals; progress, milestones and closing."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.text import clean_prose
from grievances.models import OPEN_STATES, Category, GovernanceProject, Grievance, GrievanceEvent, Milestone
from grievances.services.base import ALLOWED, S, record_event, setting
from grievances.services.handling import grievance_resolve
from grievances.services.triage import grievance_triage
from organizations.models import Territory


def cluster_propose(*, now=None) -> list[GovernanceProject]:
    """Weekly: recurring (category × street) clusters without a project become proposals.

    A cluster already covered by a proposed or active project only gets its new cases linked.
    The proposal's key carries the ISO week, so running the job twice in a week adds nothing.
    """
    now = now or timezone.now()
    since = now - timedelta(days=setting("CLUSTER_WINDOW_DAYS", 90))
    minimum = setting("CLUSTER_MIN_CASES", 5)
    rows = (
        Grievance.objects.filter(submitted_at__gte=since, category__isnull=False, owner_territory__isnull=False)
        .exclude(state__in=[S.DUPLICATE, S.REJECTED])
        .values_list("pk", "category_id", "owner_territory_id", "project_id")
    )
    clusters: dict[tuple[int, int], list[tuple[int, int | None]]] = {}
    for pk, category_id, territory_id, project_id in rows:
        clusters.setdefault((category_id, territory_id), []).append((pk, project_id))
    created = []
    year, week, _ = timezone.localtime(now).isocalendar()
    for (category_id, territory_id), members in sorted(clusters.items()):
        if len(members) < minimum:
            continue
        unlinked = [pk for pk, project_id in members if project_id is None]
        if not unlinked:
            continue
        with transaction.atomic():
            project = GovernanceProject.objects.filter(
                category_id=category_id,
                territory_id=territory_id,
                status__in=[GovernanceProject.Status.PROPOSED, GovernanceProject.Status.ACTIVE],
            ).first()
            if project is None:
                category = Category.objects.get(pk=category_id)
                territory = Territory.objects.get(pk=territory_id)
                project, was_created = GovernanceProject.objects.get_or_create(
                    cluster_key=f"{category.code}:{territory.code}:{year}W{week:02d}",
                    defaults={
                        "title": f"{territory.name}{category.name}问题集中治理",
                        "category": category,
                        "territory": territory,
                        "summary": f"近期同类诉求 {len(members)} 件，系统建议立项",
                    },
                )
                if was_created:
                    created.append(project)
            linked = list(Grievance.objects.filter(pk__in=unlinked, project__isnull=True))
            Grievance.objects.filter(pk__in=[g.pk for g in linked]).update(project=project)
            for grievance in linked:
                record_event(grievance, GrievanceEvent.Kind.PROJECT, note=f"归入治理项目“{project.title}”")
    return created


def project_close(*, project: GovernanceProject, actor, explanation: str) -> int:
    """Finish a project and resolve its open cases with one explanation; returns how many."""
    explanation = clean_prose(explanation or "")
    if not explanation:
        raise ValidationError({"explanation": "请填写统一答复提交人的办结说明"})
    with transaction.atomic():
        locked = GovernanceProject.objects.select_for_update().get(pk=project.pk)
        if locked.status in (GovernanceProject.Status.DONE, GovernanceProject.Status.DISMISSED):
            raise ValidationError(f"项目“{locked.title}”已{locked.get_status_display()}")
        locked.status = GovernanceProject.Status.DONE
        locked.progress = 100
        locked.explanation = explanation
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "progress", "explanation", "closed_at"])
        count = 0
        for grievance in locked.grievances.filter(state__in=OPEN_STATES).order_by("pk"):
            if S.RESOLVED in ALLOWED[grievance.state]:
                grievance_resolve(grievance=grievance, actor=actor, resolution=f"【治理项目】{explanation}")
            else:
                # submitted/triaged cases still need an owner before they can be resolved
                grievance_triage(grievance_id=grievance.pk)
                grievance.refresh_from_db()
                grievance_resolve(grievance=grievance, actor=actor, resolution=f"【治理项目】{explanation}")
            count += 1
    return count


def project_update(*, project: GovernanceProject, status: str, progress: int, owner_name: str, owner) -> None:
    """Progress, lead body and person in charge; a finished project is left as it is.

    Finishing goes through ``project_close`` (it answers the linked cases), so ``done`` is not
    a status this accepts.
    """
    if status not in {s for s in GovernanceProject.Status.values if s != GovernanceProject.Status.DONE}:
        raise ValidationError({"status": f"未知项目状态“{status}”"})
    with transaction.atomic():
        locked = GovernanceProject.objects.select_for_update().get(pk=project.pk)
        if locked.status == GovernanceProject.Status.DONE:
            raise ValidationError("项目已完成，不能再修改进度")
        locked.status, locked.progress = status, progress
        locked.owner_name, locked.owner = (owner_name or "").strip(), owner
        locked.save(update_fields=["status", "progress", "owner_name", "owner"])
    for name in ("status", "progress", "owner_name", "owner"):
        setattr(project, name, getattr(locked, name))


def milestone_add(*, project: GovernanceProject, title: str, due_on) -> Milestone:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写节点名称"})
    return Milestone.objects.create(project=project, title=title, due_on=due_on)


def milestone_done(*, milestone: Milestone) -> Milestone:
    milestone.done_on = timezone.localdate()
    milestone.save(update_fields=["done_on"])
    return milestone
