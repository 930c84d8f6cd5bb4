"""工作台 — what needs the signed-in user today, in the order a cadre works through it.

Each item is a count and a link to the list that shows exactly the counted rows: the count is
taken from the very queryset (or selector) that list reads, through the scope rule, so a
number on the home page can never promise a row the list will not show, nor count one
outside the user's scope. Items appear only where the user's permissions make them theirs
(a station manager gets station items, a member unit its key tasks), so nobody gets a wall of
zeros that are not theirs to act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from organizations.models import StaffPost


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    count: int
    url: str
    hint: str = ""

    @property
    def pending(self) -> bool:
        return self.count > 0


def _roles(user) -> set[str]:
    return set(StaffPost.objects.filter(user=user, is_active=True).values_list("role", flat=True))


def _weekly(user, roles) -> Iterator[Item]:
    from cadence.models import WeeklyReport
    from cadence.services.weekly import iso_week_of
    from cadence.views.weekly import my_streets
    from organizations.scope import restrict

    filed = [WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED]
    url = reverse("cadence:weekly-list")
    if user.has_perm("cadence.add_weeklyreport"):
        iso_year, iso_week = iso_week_of(timezone.localdate())
        streets = my_streets(user)
        done = WeeklyReport.objects.filter(
            street__in=streets, iso_year=iso_year, iso_week=iso_week, status__in=filed
        ).values("street_id")
        yield Item("weekly_due", "本周周例会报告待报送", streets.exclude(pk__in=done).count(), url, f"第{iso_week}周")
    if user.has_perm("cadence.view_weeklyreport"):
        # The list's own ``late=1`` filter: deadline passed, not filed.
        late = restrict(WeeklyReport.objects.all(), user).filter(due_at__lt=timezone.now()).exclude(status__in=filed)
        yield Item("weekly_late", "周例会报告逾期未报", late.count(), f"{url}?late=1")
    if user.has_perm("cadence.review_weeklyreport"):
        submitted = restrict(WeeklyReport.objects.all(), user).filter(status=WeeklyReport.Status.SUBMITTED)
        yield Item("weekly_review", "周例会报告待审阅", submitted.count(), f"{url}?status=submitted")


def _grievances(user, roles) -> Iterator[Item]:
    if not user.has_perm("grievances.view_grievance"):
        return
    from grievances.models import ExtensionRequest, Grievance
    from grievances.selectors import grievances_for, inbox

    inbox_url = reverse("grievances:inbox")
    # A station manager sees the cases of their station but does not handle them.
    if roles - {StaffPost.Role.STATION}:
        # Assigned to one of my posts and not yet accepted: the inbox's own state filter.
        to_accept = inbox(user, tab="mine").filter(state=Grievance.State.ASSIGNED).count()
        yield Item("cases_to_accept", "待接单诉求", to_accept, f"{inbox_url}?tab=mine&state=assigned")
        yield Item("cases_mine", "我承办的在办诉求", inbox(user, tab="mine").count(), f"{inbox_url}?tab=mine")
    yield Item("cases_overdue", "诉求已超期", inbox(user, tab="overdue").count(), f"{inbox_url}?tab=overdue")
    yield Item("cases_due", "诉求24小时内到期", inbox(user, tab="due").count(), f"{inbox_url}?tab=due")
    if user.has_perm("grievances.approve_extension"):
        # The inbox lists the same requests above its tabs.
        pending = (
            ExtensionRequest.objects.filter(status="pending", grievance__in=grievances_for(user).values("pk"))
            .exclude(requested_by=user)
            .count()
        )
        yield Item("extensions", "延期申请待审批", pending, inbox_url)


def _surveys(user, roles) -> Iterator[Item]:
    if not user.has_perm("surveys.view_verificationtask"):
        return
    from surveys.exports import task_rows

    url = reverse("surveys:task-list") + "?show=pending"
    yield Item("verification", "摸排核实任务待处理", task_rows(user, "pending").count(), url)


def _stations(user, roles) -> Iterator[Item]:
    if not user.has_perm("stations.view_station"):
        return
    from cadence.metrics import Lens, drill_queryset
    from organizations.scope import scope_for

    rows = drill_queryset("stations", "inspection_overdue", Lens(scope_for(user)))
    if rows is not None:
        url = reverse("cadence:drill", args=["stations", "inspection_overdue"])
        yield Item("inspections", "驿站“六个一”检查超期", rows.count(), url)


def _transfers(user, roles) -> Iterator[Item]:
    if not user.has_perm("members.view_transfer"):
        return
    from members.models import Transfer

    visible = Transfer.objects.visible_to(user)
    url = reverse("admin:members_transfer_changelist")
    for status, label in (
        (Transfer.Status.REQUESTED, "组织关系转接待审批"),
        (Transfer.Status.APPROVED, "组织关系转接待接收"),
    ):
        yield Item(f"transfers_{status}", label, visible.filter(status=status).count(), f"{url}?status__exact={status}")


def _points(user, roles) -> Iterator[Item]:
    from points import exports

    if user.has_perm("points.view_photoreport"):
        yield Item("photo_reports", "随手拍待核实", exports.reports_rows(user, {}).count(), reverse("points:reports"))
    if user.has_perm("points.change_redemption"):
        count = exports.redemptions_rows(user, {}).count()
        yield Item("redemptions", "积分兑换待审核", count, reverse("points:redemptions"))


def _key_tasks(user, roles) -> Iterator[Item]:
    if not user.has_perm("cadence.view_keytask"):
        return
    from cadence.metrics import Lens, drill_queryset
    from organizations.scope import scope_for

    rows = drill_queryset("key_tasks", "overdue", Lens(scope_for(user)))
    if rows is not None:
        url = reverse("cadence:drill", args=["key_tasks", "overdue"])
        yield Item("key_tasks", "重点任务超期未完成", rows.count(), url)


def _notifications(user, roles) -> Iterator[Item]:
    from cadence.models import Notification

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    yield Item("notifications", "未读提醒", unread, reverse("cadence:notifications"))


# The order of the day: reports due, cases, verification, inspections, transfers, points, the rest.
SOURCES: list[Callable] = [
    _weekly,
    _grievances,
    _surveys,
    _stations,
    _transfers,
    _points,
    _key_tasks,
    _notifications,
]


def workbench_items(user) -> list[Item]:
    roles = _roles(user)
    items = []
    for source in SOURCES:
        items.extend(source(user, roles))
    return items
