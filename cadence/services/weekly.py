"""周例会 — the weekly meeting report of each street: open, prefill, save, submit, review, remind."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cadence.models import (
    Notification,
    WeeklyReport,
    WeeklyReportAttachment,
    WeeklyReportEvent,
    WeeklyReportReminder,
)
from cadence.services.weekly_figures import weekly_figures
from organizations.models import StaffPost, Territory

TEXT_FIELDS = ["work_done", "problems", "help_needed", "next_week_plan"]
REQUIRED_ON_SUBMIT = {"work_done": "本周工作", "next_week_plan": "下周计划"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt")


def due_at_for(iso_year: int, iso_week: int) -> datetime:
    """The deadline: ``CADENCE_WEEKLY_DUE_WEEKDAY`` (ISO, 5 = Friday) at ``CADENCE_WEEKLY_DUE_TIME``."""
    weekday = settings.CADENCE_WEEKLY_DUE_WEEKDAY
    hour, minute = (int(x) for x in settings.CADENCE_WEEKLY_DUE_TIME.split(":"))
    day = date.fromisocalendar(iso_year, iso_week, weekday)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def iso_week_of(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def prefill_figures(street: Territory, iso_year: int, iso_week: int) -> tuple[dict, date]:
    """最多报一次: the week's figures from the portal's data (``weekly_figures``), never typed —
    as the open report shows them (statements kept per process)."""
    week, _, last_day = weekly_figures(street, iso_year, iso_week, kept=True)
    return week, last_day


def _take_figures(report: WeeklyReport, *, kept: bool = False) -> list[str]:
    """Set the week's figures, month-to-date beside them and when they were taken (not saved)."""
    report.figures, report.month_figures, report.figures_as_of = weekly_figures(
        report.street, report.iso_year, report.iso_week, kept=kept
    )
    report.figures_taken_at = timezone.now()
    return ["figures", "month_figures", "figures_as_of", "figures_taken_at"]


def weekly_report_refresh_figures(*, report: WeeklyReport) -> WeeklyReport:
    """Bring an editable report's figures up to date (when the cadre opens it, again and again:
    the statements are kept per process); a filed report keeps the figures it was submitted with."""
    with transaction.atomic():
        locked = WeeklyReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_editable:
            return locked
        fields = _take_figures(locked, kept=True)
        locked.save(update_fields=[*fields, "updated_at"])
    return locked


def weekly_report_open(*, street: Territory, iso_year: int, iso_week: int, actor=None) -> WeeklyReport:
    """The street's report of that week, created as a prefilled draft if it does not exist."""
    if street.level != Territory.Level.STREET:
        raise ValidationError(f"{street.name} 不是街道/镇，周例会报告按街道报送")
    report = WeeklyReport.objects.filter(street=street, iso_year=iso_year, iso_week=iso_week).first()
    if report is not None:
        return report
    figures, month_figures, as_of = weekly_figures(street, iso_year, iso_week)
    try:
        with transaction.atomic():
            report = WeeklyReport.objects.create(
                street=street,
                iso_year=iso_year,
                iso_week=iso_week,
                due_at=due_at_for(iso_year, iso_week),
                figures=figures,
                month_figures=month_figures,
                figures_as_of=as_of,
                figures_taken_at=timezone.now(),
            )
            WeeklyReportEvent.objects.create(report=report, action=WeeklyReportEvent.Action.CREATED, actor=actor)
    except IntegrityError:
        # Another worker opened it first; theirs is the one.
        report = WeeklyReport.objects.get(street=street, iso_year=iso_year, iso_week=iso_week)
    return report


def weekly_reports_open_all(*, day: date) -> int:
    """Open the week of ``day`` for every street (the Monday beat entry)."""
    iso_year, iso_week = iso_week_of(day)
    created = 0
    for street in Territory.objects.filter(level=Territory.Level.STREET).order_by("path"):
        before = WeeklyReport.objects.filter(street=street, iso_year=iso_year, iso_week=iso_week).exists()
        weekly_report_open(street=street, iso_year=iso_year, iso_week=iso_week)
        created += 0 if before else 1
    return created


def _check_editable(report: WeeklyReport) -> None:
    if not report.is_editable:
        raise ValidationError(f"{report} 当前状态为“{report.get_status_display()}”，不能修改")


@transaction.atomic
def weekly_report_save(*, report: WeeklyReport, actor, data: dict) -> WeeklyReport:
    report = WeeklyReport.objects.select_for_update().get(pk=report.pk)
    _check_editable(report)
    for name in TEXT_FIELDS:
        if name in data:
            setattr(report, name, (data[name] or "").strip())
    report.save(update_fields=[*TEXT_FIELDS, "updated_at"])
    WeeklyReportEvent.objects.create(report=report, action=WeeklyReportEvent.Action.SAVED, actor=actor)
    return report


@transaction.atomic
def weekly_report_submit(*, report: WeeklyReport, actor, data: dict | None = None) -> WeeklyReport:
    """Save the text, refresh the figures to the latest data, and submit."""
    report = WeeklyReport.objects.select_for_update().get(pk=report.pk)
    _check_editable(report)
    for name in TEXT_FIELDS:
        if data is not None and name in data:
            setattr(report, name, (data[name] or "").strip())
    missing = {
        name: f"请填写“{label}”后再提交" for name, label in REQUIRED_ON_SUBMIT.items() if not getattr(report, name)
    }
    if missing:
        raise ValidationError(missing)
    _take_figures(report)
    report.status = WeeklyReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.save()
    WeeklyReportEvent.objects.create(report=report, action=WeeklyReportEvent.Action.SUBMITTED, actor=actor)
    return report


@transaction.atomic
def weekly_report_review(*, report: WeeklyReport, actor, approve: bool, comment: str = "") -> WeeklyReport:
    """The district reviews a submitted report, or returns it with comments for revision."""
    report = WeeklyReport.objects.select_for_update().get(pk=report.pk)
    if report.status != WeeklyReport.Status.SUBMITTED:
        raise ValidationError(f"{report} 当前状态为“{report.get_status_display()}”，只有已提交的报告可以审阅")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"review_comment": "退回修改时请写明意见"})
    report.status = WeeklyReport.Status.REVIEWED if approve else WeeklyReport.Status.RETURNED
    report.review_comment = comment
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor
    report.save(update_fields=["status", "review_comment", "reviewed_at", "reviewed_by", "updated_at"])
    action = WeeklyReportEvent.Action.REVIEWED if approve else WeeklyReportEvent.Action.RETURNED
    WeeklyReportEvent.objects.create(report=report, action=action, actor=actor, comment=comment)
    if not approve:
        _notify_street(
            report,
            title=f"{report.week_label}周例会报告被退回修改",
            body=f"审阅意见：{comment}",
            dedupe_key=f"weekly-returned:{report.pk}:{report.reviewed_at:%Y%m%d%H%M%S}",
        )
    return report


@transaction.atomic
def weekly_report_attach(*, report: WeeklyReport, actor, upload) -> WeeklyReportAttachment:
    _check_editable(report)
    name = upload.name.rsplit("/", 1)[-1]
    if not name.lower().endswith(ATTACHMENT_SUFFIXES):
        raise ValidationError({"file": f"附件“{name}”类型不支持，可上传：{'、'.join(ATTACHMENT_SUFFIXES)}"})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": f"附件“{name}”超过 10MB"})
    return WeeklyReportAttachment.objects.create(report=report, file=upload, name=name[:200], uploaded_by=actor)


def street_cadres(street: Territory):
    User = get_user_model()
    return User.objects.filter(
        is_active=True,
        posts__is_active=True,
        posts__role=StaffPost.Role.STREET,
        posts__territory=street,
    ).distinct()


def _notify_street(report: WeeklyReport, *, title: str, body: str, dedupe_key: str) -> int:
    url = reverse("cadence:weekly-detail", args=[report.pk])
    sent = 0
    for user in street_cadres(report.street):
        _, created = Notification.objects.get_or_create(
            recipient=user, dedupe_key=dedupe_key, defaults={"title": title, "body": body, "url": url}
        )
        if created:
            sent += 1
            if user.email:
                transaction.on_commit(
                    lambda u=user: send_mail(title, f"{body}\n{url}", None, [u.email], fail_silently=True)
                )
    return sent


def late_reports(*, now: datetime | None = None, weeks_back: int = 4):
    """Reports past their deadline and not filed, for the last ``weeks_back`` weeks."""
    now = now or timezone.now()
    since = now - timedelta(weeks=weeks_back)
    return (
        WeeklyReport.objects.filter(due_at__lt=now, due_at__gte=since)
        .exclude(status__in=[WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED])
        .select_related("street")
        .order_by("street__path", "iso_year", "iso_week")
    )


def weekly_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the cadres of every street whose report is late — and no one else. One reminder
    per report per day (a unique row), so a re-run of the beat entry sends nothing twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # A street with no row at all for last week is late too: open the rows first.
    for street in Territory.objects.filter(level=Territory.Level.STREET):
        for back in (0, 1):
            iso_year, iso_week = iso_week_of(today - timedelta(weeks=back))
            if due_at_for(iso_year, iso_week) < now:
                weekly_report_open(street=street, iso_year=iso_year, iso_week=iso_week)
    reminded = 0
    for report in late_reports(now=now):
        # A street with nobody to remind (no active cadre account) is not "reminded": it stays on
        # the district's late list, and the count says how many streets someone was told about.
        if not street_cadres(report.street).exists():
            continue
        with transaction.atomic():
            reminder, created = WeeklyReportReminder.objects.get_or_create(report=report, sent_on=today)
            if not created:
                continue
            due = timezone.localtime(report.due_at)
            reminder.recipients = _notify_street(
                report,
                title=f"请尽快报送{report.week_label}周例会报告",
                body=f"{report.street.name}{report.week_label}的周例会报告已于 {due:%m月%d日 %H:%M} 截止，尚未提交。",
                dedupe_key=f"weekly-late:{report.pk}:{today.isoformat()}",
            )
            reminder.save(update_fields=["recipients"])
            WeeklyReportEvent.objects.create(
                report=report, action=WeeklyReportEvent.Action.REMINDED, comment=f"通知 {reminder.recipients} 人"
            )
            reminded += 1 if reminder.recipients else 0
    return reminded


def can_file(user, report: WeeklyReport) -> bool:
    """Street cadres of that street file; the district only reviews."""
    return user.has_perm("cadence.change_weeklyreport") and street_cadres(report.street).filter(pk=user.pk).exists()


def can_review(user, report: WeeklyReport) -> bool:
    return user.has_perm("cadence.review_weeklyreport")


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
