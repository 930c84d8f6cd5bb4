from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.filters import ResourceTypeFilter
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, OuterRef, Subquery, Value, When
from django.db.models.functions import Length, Substr
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from treebeard.forms import movenodeform_factory

from core.admin_changelist import PortalChangeListMixin
from organizations import rules as R
from organizations import selectors as S
from organizations.admin_base import CappedCountPaginator, ScopedAdmin, ScopedInline
from organizations.admin_filters import (
    CoverageFilter,
    DistrictFilter,
    KeyTargetFilter,
    OrganizationDistrictFilter,
    OverdueMeetingFilter,
    RuleViolationFilter,
    ShouldBuildFilter,
    UnderOrganizationFilter,
    WorkCoverageFilter,
    territory_filters,
)
from organizations.forms import ORG_FIELDS, LifecycleForm, PartyOrganizationForm
from organizations.models import (
    Body,
    BranchRule,
    CommitteeMember,
    Instructor,
    Meeting,
    OrganizationEvent,
    PartyOrganization,
    Responsibility,
    StaffPost,
    Territory,
    Unit,
    VanguardPost,
)
from organizations.scope import OutOfScope, get_visible_or_404


def _indented(obj) -> str:
    return format_html('<span style="padding-left:{}em">{}</span>', max(obj.depth - 1, 0) * 1.5, obj.name)


class TerritoryForm(movenodeform_factory(Territory, fields=["code", "name", "level"])):
    """Tells the node where it will sit, so its code is checked against that parent."""

    def clean(self):
        data = super().clean()
        ref = data.get("treebeard_ref_node")
        position = data.get("treebeard_position") or ""
        parent = ref if (ref is None or "child" in position) else Territory.objects.get_parent(ref)
        self.instance.intended_parent = parent
        return data


@admin.register(Territory)
class TerritoryAdmin(ScopedAdmin):
    form = TerritoryForm
    list_display = ["indented_name", "code", "level", "edition", "retired_on"]
    list_filter = ["level", "edition", ("retired_on", admin.EmptyFieldListFilter)]
    search_fields = ["name", "code"]
    ordering = ["path"]
    # Set by load_territory (the official 区划代码 table), never by hand.
    readonly_fields = ["edition", "retired_on"]

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj):
        return _indented(obj)


class ResponsibilityInline(ScopedInline, admin.TabularInline):
    model = Responsibility
    extra = 1
    fields = ["number", "content", "lead_office"]


@admin.register(Body)
class BodyAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "kind", "parent", "territory", "duty_count"]
    list_filter = ["kind"]
    list_select_related = ["parent", "territory"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent", "territory", "organization"]
    fields = ["code", "name", "short_name", "kind", "parent", "territory", "organization", "sort_order", "description"]
    inlines = [ResponsibilityInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_duties=Count("responsibilities"))

    @admin.display(description="职责条目", ordering="n_duties")
    def duty_count(self, obj):
        return obj.n_duties


@admin.register(Responsibility)
class ResponsibilityAdmin(ScopedAdmin):
    list_display = ["body", "number", "content", "lead_office"]
    list_filter = ["body__kind"]
    list_select_related = ["body"]
    search_fields = ["content", "body__name", "body__short_name"]
    autocomplete_fields = ["body"]
    ordering = ["body__sort_order", "body_id", "number"]


@admin.register(Instructor)
class InstructorAdmin(ScopedAdmin):
    list_display = ["name", "employer", "territory", "is_active"]
    list_filter = ["is_active", DistrictFilter]
    list_select_related = ["territory"]
    search_fields = ["name", "employer"]
    autocomplete_fields = ["territory"]


class CommitteeMemberInline(ScopedInline, admin.TabularInline):
    model = CommitteeMember
    extra = 0
    fields = ["position", "name", "phone", "since"]


class VanguardPostInline(ScopedInline, admin.TabularInline):
    model = VanguardPost
    extra = 0
    fields = ["name", "holder_name", "task"]


class OrganizationEventInline(ScopedInline, admin.TabularInline):
    """History only: events are written by the lifecycle services."""

    model = OrganizationEvent
    extra = 0
    fields = ["occurred_on", "kind", "from_kind", "to_kind", "counterpart", "document_no", "reason", "recorded_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedAdmin):
    survey_import_kind = "organizations"  # 导入 → the survey upload (core.admin_export)
    form = PartyOrganizationForm
    list_display = [
        "indented_name",
        "children_link",
        "kind",
        "status",
        "territory",
        "industry_committee",
        "full_member_count",
        "member_count",
        "instructor",
    ]
    list_filter = [
        RuleViolationFilter,
        OverdueMeetingFilter,
        UnderOrganizationFilter,
        *territory_filters(),
        "kind",
        "status",
        "establishment_mode",
    ]
    list_select_related = ["territory", "industry_committee", "instructor"]
    search_fields = ["name", "=code"]
    ordering = ["path"]
    autocomplete_fields = ["territory", "industry_committee", "instructor"]
    readonly_fields = ["parent_display", "full_member_count", "member_count", "findings_display", "cadence_display"]
    inlines = [CommitteeMemberInline, VanguardPostInline, OrganizationEventInline]
    # The file carries what a clerk needs to act on a row, not the screen's navigation.
    export_extra = ("code", "parent_name", "establishment_mode", "founded_on", "founding_document_no", "rule_breaches")
    export_units = {"full_member_count": "人", "member_count": "人"}
    export_totals = ("full_member_count", "member_count")

    def export_columns(self, request):
        return [c for c in super().export_columns(request) if c.header != "下级"]

    def export_queryset(self, request):
        # Read once per export; kept on the admin only for the rows of this export (rules
        # change rarely, and a concurrent export reads the same table).
        self._export_rules = R.rules()
        rows = R.with_violation_flags(super().export_queryset(request), self._export_rules)
        # The parent's name in the same query: its path is this row's path less one step.
        parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - PartyOrganization.steplen)
        return rows.annotate(
            export_parent_name=Subquery(PartyOrganization.objects.filter(path=parent_path).values("name")[:1])
        )

    @admin.display(description="上级党组织")
    def parent_name(self, obj):
        if hasattr(obj, "export_parent_name"):
            return obj.export_parent_name or ""
        parent = PartyOrganization.objects.get_parent(obj)
        return parent.name if parent else ""

    @admin.display(description="违反的组织设置规则")
    def rule_breaches(self, obj):
        current = getattr(self, "_export_rules", None) or R.rules()
        findings = R.flagged_findings(obj, current) if hasattr(obj, "v_" + R.BRANCH_MIN_FULL) else R.findings_for(obj)
        return "；".join(f"【{f.severity_label}】{f.text}" for f in findings)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # State and placement change through the lifecycle page (rule, reason, dated event).
            fields += [f for f in PartyOrganization.EVENT_FIELDS if f not in fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        basics = ["code", "name", "kind", "status", "territory", "industry_committee"]
        basics = (["parent_display"] if obj else ["parent"]) + basics
        sets = [
            (None, {"fields": basics}),
            (
                "组建情况",
                {
                    "fields": [
                        "establishment_mode",
                        "area_type",
                        "founded_on",
                        "founding_document_no",
                        "instructor",
                        "formed_for_shortage",
                        "over_limit_reason",
                    ]
                },
            ),
        ]
        if obj:
            sets.append(("党员与规则", {"fields": ["full_member_count", "member_count", "findings_display"]}))
            sets.append(("三会一课", {"fields": ["cadence_display"]}))
        return sets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class ScopedForm(form_class):
            def __init__(self, *args, **kw):
                kw["user"] = request.user
                super().__init__(*args, **kw)

        return ScopedForm

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj):
        return _indented(obj)

    @admin.display(description="下级")
    def children_link(self, obj):
        if not obj.numchild:
            return "—"
        url = reverse("admin:organizations_partyorganization_changelist")
        return format_html('<a href="{}?under={}">展开（{}）</a>', url, obj.pk, obj.numchild)

    @admin.display(description="上级党组织")
    def parent_display(self, obj):
        parent = PartyOrganization.objects.get_parent(obj) if obj and obj.pk else None
        lifecycle = reverse("admin:organizations_partyorganization_lifecycle", args=[obj.pk])
        return format_html(
            '{} <a class="button" href="{}">办理成立/转入/转出/升格/撤销</a>',
            parent.name if parent else "（根节点）",
            lifecycle,
        )

    @admin.display(description="规则检查")
    def findings_display(self, obj):
        findings = R.findings_for(obj)
        if not findings:
            return "符合组织设置规则"
        return format_html_join(mark_safe("<br>"), "【{}】{}", ((f.severity_label, f.text) for f in findings))

    @admin.display(description="落实情况")
    def cadence_display(self, obj):
        rows = S.meeting_compliance(obj)
        if not rows:
            return "不适用"
        return format_html_join(
            mark_safe("<br>"),
            "{}（每{}个月）：最近 {}，{}",
            (
                (r.label, r.months, r.last_held_on or "无记录", f"应于 {r.due_on} 前召开" if r.due_on else "")
                if not r.overdue
                else (r.label, r.months, r.last_held_on or "无记录", "⚠ 已逾期")
                for r in rows
            ),
        )

    def save_model(self, request, obj, form, change):
        from organizations.services import organization_create

        if change:
            super().save_model(request, obj, form, change)
        else:
            fields = {f: form.cleaned_data[f] for f in ORG_FIELDS if f in form.cleaned_data}
            fields["code"] = fields.get("code") or None
            created = organization_create(parent=form.cleaned_data.get("parent"), **fields)
            obj.pk, obj.path, obj.depth, obj.numchild = created.pk, created.path, created.depth, created.numchild
            obj._state.adding = False
        for finding in R.advisories_for(obj):
            messages.warning(request, f"{obj.name}：{finding.text}")

    def get_urls(self):
        custom = [
            path(
                "<path:object_id>/lifecycle/",
                self.admin_site.admin_view(self.lifecycle_view),
                name="organizations_partyorganization_lifecycle",
            )
        ]
        return custom + super().get_urls()

    def lifecycle_view(self, request, object_id):
        from organizations.services import organization_lifecycle

        org = get_visible_or_404(PartyOrganization.objects.all(), request.user, pk=object_id)
        if not self.has_change_permission(request, org):
            raise PermissionDenied
        form = LifecycleForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                organization_lifecycle(
                    form.cleaned_data["kind"], organization=org, actor=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except OutOfScope as exc:
                form.add_error(None, exc.message)
            else:
                label = OrganizationEvent.Kind(form.cleaned_data["kind"]).label
                messages.success(request, f"已办理“{org.name}”{label}")
                return redirect("admin:organizations_partyorganization_change", org.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"生命周期：{org.name}",
            "organization": org,
            "form": form,
            "media": self.media + form.media,
            "events": org.events.select_related("recorded_by")[:50],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "organizations/admin/lifecycle.html", context)


@admin.register(OrganizationEvent)
class OrganizationEventAdmin(ScopedAdmin):
    list_display = ["occurred_on", "organization", "kind", "counterpart", "document_no", "recorded_by"]
    list_filter = ["kind", OrganizationDistrictFilter]
    list_select_related = ["organization", "recorded_by"]
    search_fields = ["organization__name", "document_no"]
    ordering = ["-occurred_on", "-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["organization", "kind", "held_on", "topic", "expected_count", "attended_count", "notes"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    form = MeetingForm
    list_display = ["held_on", "organization", "kind", "topic", "attendance"]
    export_extra = ("expected_count", "attended_count")
    export_units = {"expected_count": "人", "attended_count": "人"}
    list_filter = ["kind", OrganizationDistrictFilter]
    list_select_related = ["organization"]
    search_fields = ["topic", "organization__name"]
    autocomplete_fields = ["organization"]
    ordering = ["-held_on", "-id"]
    # Floors above add to a meeting's page without this floor importing them: members adds the
    # roll of who attended (a read-only callable), and once a roll is recorded 应到/实到 are its
    # counts, not typed.
    extra_readonly: list = []
    counts_from_roll = staticmethod(lambda meeting: False)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *self.extra_readonly]
        if obj is not None and self.counts_from_roll(obj):
            fields += ["expected_count", "attended_count"]
        return fields

    @admin.display(description="出席（实到/应到）")
    def attendance(self, obj):
        return f"{obj.attended_count}/{obj.expected_count}"

    def save_model(self, request, obj, form, change):
        from organizations.services import meeting_record

        meeting_record(meeting=obj, actor=request.user)


@admin.register(BranchRule)
class BranchRuleAdmin(ScopedAdmin):
    list_display = ["name", "code", "threshold", "severity", "is_active", "basis"]
    list_editable = ["threshold", "is_active"]
    list_filter = ["severity", "is_active"]
    readonly_fields = ["code"]
    fields = ["code", "name", "threshold", "severity", "message", "basis", "is_active", "sort_order"]
    ordering = ["sort_order", "id"]

    def has_add_permission(self, request):
        # The codes are what the checks in organizations.rules understand; new ones need code.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    survey_import_kind = "units"
    # Fits 1440 px beside the filters; kind, industry and the organization are on the detail
    # page and in the export (export_extra).
    list_display = ["name", "credit_code", "territory", "coverage", "full_member_count", "profile_link"]
    list_filter = [
        CoverageFilter,
        ShouldBuildFilter,
        WorkCoverageFilter,
        KeyTargetFilter,
        *territory_filters(),
        "kind",
        "industry",
        "size",
    ]
    list_select_related = ["territory", "organization"]
    search_fields = ["name", "=credit_code"]
    autocomplete_fields = ["territory", "organization", "instructor"]
    ordering = ["-id"]
    readonly_fields = ["full_member_count", "member_count", "profile_link"]
    export_extra = (
        "kind",
        "industry",
        "organization",
        "size",
        "employee_count",
        "new_employment_worker_count",
        "member_count",
        "is_private_top500",
        "is_internet_top100",
        "is_little_giant",
        "instructor",
        "should_build",
    )
    export_units = {
        "employee_count": "人",
        "new_employment_worker_count": "人",
        "full_member_count": "人",
        "member_count": "人",
    }
    export_totals = ("employee_count", "new_employment_worker_count", "full_member_count", "member_count")

    def export_columns(self, request):
        return [c for c in super().export_columns(request) if c.header != "一主体一档"]

    def export_queryset(self, request):
        flag = Case(When(S.should_build_q(), then=Value(True)), default=Value(False), output_field=BooleanField())
        return super().export_queryset(request).select_related("instructor").annotate(export_should_build=flag)

    @admin.display(description="应建未建", boolean=True)
    def should_build(self, obj):
        return getattr(obj, "export_should_build", None)

    fieldsets = [
        (
            None,
            {"fields": ["name", "credit_code", "kind", "industry", "industry_code", "size", "territory", "address"]},
        ),
        ("规模与人员", {"fields": ["legal_representative", "employee_count", "new_employment_worker_count"]}),
        ("重点对象", {"fields": ["is_private_top500", "is_internet_top100", "is_little_giant"]}),
        ("党建覆盖", {"fields": ["organization", "instructor", "full_member_count", "member_count", "profile_link"]}),
    ]

    @admin.display(description="组织覆盖")
    def coverage(self, obj):
        return S.COVERAGE_LABELS[S.unit_coverage(obj)]

    @admin.display(description="一主体一档")
    def profile_link(self, obj):
        if not obj or not obj.pk:
            return "—"
        return format_html('<a href="{}">查看档案</a>', reverse("organizations:unit-profile", args=[obj.pk]))


class StaffPostForm(forms.ModelForm):
    class Meta:
        model = StaffPost
        fields = ["user", "role", "title", "territory", "organization", "body", "is_active"]


@admin.register(StaffPost)
class StaffPostAdmin(ScopedAdmin):
    form = StaffPostForm
    list_display = ["user", "role", "node_display", "title", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user", "territory", "organization", "body"]
    search_fields = ["user__username", "user__first_name", "title"]
    autocomplete_fields = ["user", "territory", "organization", "body"]

    @admin.display(description="所在节点")
    def node_display(self, obj):
        return obj.node

    def save_model(self, request, obj, form, change):
        from organizations.services import staff_post_save

        staff_post_save(post=obj)


# The audit trail becomes the largest table of all; auditlog's own admin counts it whole twice per
# page and builds its date hierarchy by scanning it. Same screen, bounded work.
admin.site.unregister(LogEntry)


class ModelNameTypeFilter(ResourceTypeFilter):
    """auditlog's filter by type, listing each type by its Chinese name, not its model code."""

    def lookups(self, request, model_admin):
        ids = model_admin.get_queryset(request).values_list("content_type_id", flat=True).distinct()
        types = ContentType.objects.filter(pk__in=ids)
        return sorted(
            ((ct.pk, str(ct.model_class()._meta.verbose_name) if ct.model_class() else ct.model) for ct in types),
            key=lambda pair: pair[1],
        )


@admin.register(LogEntry)
class BoundedLogEntryAdmin(PortalChangeListMixin, AuditlogLogEntryAdmin):
    date_hierarchy = None
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_filter = [
        *(ModelNameTypeFilter if f is ResourceTypeFilter else f for f in AuditlogLogEntryAdmin.list_filter),
        "timestamp",
    ]

    @admin.display(description="关联编号")  # auditlog hard-codes this header in English
    def cid_url(self, obj):
        return super().cid_url(obj)

    @admin.display(description="变更内容")
    def msg_short(self, obj):
        """auditlog writes “3 changes: name, phone, ..” in English with the fields' code names;
        here the fields' own labels: “3项变更：姓名、手机号、属地”."""
        if obj.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
            return ""
        changes = obj.changes_dict
        model = obj.content_type.model_class()
        labels = "、".join(_field_label(model, name) for name in changes)
        if len(labels) > 60:
            labels = labels[: labels.rfind("、", 0, 60)] + "…"
        return f"{len(changes)}项变更：{labels}"


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed from the model: its recorded name
        return name
    if field.auto_created and not field.concrete:  # a reverse relation: the related records
        return str(field.related_model._meta.verbose_name)
    return str(getattr(field, "verbose_name", name))
