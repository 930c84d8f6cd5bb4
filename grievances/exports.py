"""The grievance staff lists on the one export path (``core.exports``): the inbox tabs, the
handling metrics, governance projects and a campaign's summary. Each reads through the same
selector as its page, with the page's filters, so the file holds what the page shows; the
submitter is masked for whoever the case page masks it for (``submitter_for``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone

from core.excel import Column
from core.exports import Export, register
from core.masking import mask_phone
from grievances import inbox as inbox_filters
from grievances.models import Campaign, Grievance
from grievances.selectors import grievance_metrics, grievances_for, submitter_for
from members.selectors import can_view_full_identity
from organizations.models import Territory
from organizations.scope import restrict


def _need(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def case_columns(user) -> list[Column]:
    full_phone = can_view_full_identity(user)
    return [
        Column("受理编号", lambda g: g.ticket),
        Column("渠道", lambda g: g.get_channel_display()),
        Column("分类", lambda g: g.category.name if g.category_id else "待分类"),
        Column("属地", lambda g: g.territory.name),
        Column("诉求内容", lambda g: g.text, width=50, wrap=True),
        Column("提交人", lambda g: submitter_for(user, g)["name"]),
        # Lists and files follow THE masking policy: the full number only with the full-identity right.
        Column("联系电话", lambda g: g.submitter_phone if full_phone else mask_phone(g.submitter_phone)),
        Column("状态", lambda g: g.get_state_display()),
        Column("责任单位", lambda g: str(g.body or g.owner_territory or "")),
        Column("提交时间", lambda g: g.submitted_at),
        Column("应办结时间", lambda g: g.resolve_due_at),
        Column("办结时间", lambda g: g.resolved_at),
        Column("满意度", lambda g: g.rating, unit="分"),
    ]


@register("grievances.inbox", "诉求办理台")
def inbox_export(user, params: dict) -> Export:
    _need(user, "grievances.view_grievance")
    filters = inbox_filters.parse(user, params)
    return Export(f"诉求清单（{'，'.join(filters.labels)}）", case_columns(user), inbox_filters.search(user, filters))


def _since(params: dict):
    days = str(params.get("days", "180"))
    days = int(days) if days.isdigit() and 0 < int(days) <= 3660 else 180
    return days, timezone.now() - timezone.timedelta(days=days)


def _pct(part: int, whole: int):
    return round(part * 100 / whole, 1) if whole else None


@register("grievances.metrics", "诉求办理指标")
def metrics_export(user, params: dict) -> Export:
    _need(user, "grievances.view_grievance")
    territory = None
    if params.get("territory"):
        territory = restrict(Territory.objects.all(), user).filter(code=params["territory"]).first()
        if territory is None:
            raise ValidationError("辖区不存在或不在您的管辖范围内")
    days, since = _since(params)
    metrics = grievance_metrics(user=user, since=since, territory=territory)
    rows = metrics["rows"]
    ranks = {id(r): i for i, r in enumerate((r for r in rows if r.ranked), start=1)}
    where = f"{territory.name} · " if territory else ""
    return Export(
        f"{where}诉求办理指标（近{days}天）",
        [
            Column("排名", lambda r: ranks.get(id(r), "样本不足")),
            Column("责任单位", lambda r: r.label),
            Column("件数", lambda r: r.total, unit="件", total=True),
            Column("按时响应", lambda r: r.responded_on_time, unit="件", total=True),
            Column("有响应时限", lambda r: r.response_due, unit="件", total=True),
            Column("响应率", lambda r: _pct(r.responded_on_time, r.response_due), unit="%"),
            Column("已解决", lambda r: r.solved, unit="件", total=True),
            Column("解决率", lambda r: _pct(r.solved, r.total), unit="%"),
            Column("已评价", lambda r: r.rated, unit="件", total=True),
            Column("满意率", lambda r: _pct(r.satisfied, r.rated), unit="%"),
        ],
        rows,
    )


@register("grievances.projects", "治理项目")
def projects_export(user, params: dict) -> Export:
    _need(user, "grievances.view_governanceproject")
    from grievances.models import GovernanceProject

    projects = (
        restrict(GovernanceProject.objects.all(), user)
        .select_related("category", "territory", "owner")
        .annotate(cases=Count("grievances"))
        .order_by("-created_at", "-id")
    )
    return Export(
        "治理项目",
        [
            Column("项目名称", lambda p: p.title),
            Column("分类", lambda p: p.category.name),
            Column("区域", lambda p: p.territory.name),
            Column("状态", lambda p: p.get_status_display()),
            Column("牵头单位", lambda p: str(p.owner) if p.owner_id else None),
            Column("负责人", lambda p: p.owner_name),
            Column("进度", lambda p: p.progress, unit="%"),
            Column("关联诉求", lambda p: p.cases, unit="件", total=True),
            Column("创建时间", lambda p: p.created_at),
            Column("完成时间", lambda p: p.closed_at),
            Column("说明", lambda p: p.summary, wrap=True, width=40),
        ],
        projects,
    )


@register("grievances.campaign", "征集活动汇总")
def campaign_export(user, params: dict) -> Export:
    _need(user, "grievances.view_grievance")
    campaign = restrict(Campaign.objects.select_related("territory"), user).filter(code=params.get("code", "")).first()
    if campaign is None:
        raise ValidationError("征集活动不存在或不在您的管辖范围内")
    cases = grievances_for(user).filter(campaign=campaign)
    states = dict(Grievance.State.choices)
    rows = (
        cases.values("category__name", "owner_territory__name", "state")
        .annotate(n=Count("id"))
        .order_by("category__name", "owner_territory__name", "state")
    )
    return Export(
        f"{campaign.title}（{campaign.starts_on:%Y-%m-%d}至{campaign.ends_on:%Y-%m-%d}）汇总",
        [
            Column("分类", lambda r: r["category__name"] or "待分类"),
            Column("责任街道", lambda r: r["owner_territory__name"]),
            Column("状态", lambda r: states.get(r["state"], r["state"])),
            Column("件数", lambda r: r["n"], unit="件", total=True),
        ],
        list(rows),
        scope=campaign.territory.name,
    )
