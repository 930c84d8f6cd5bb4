"""Admin of people and Party members: scoped, masked, audited.

ID numbers and phones appear masked in every list and export. On a person's page the full values
are shown only to roles holding ``members.view_full_identity`` (district and municipal), and each
such view is written to the audit trail; others see the masked value and cannot edit it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from import_export.admin import ImportMixin

from core.masking import mask_id_number, mask_phone
from members import services
from members.models import (
    DevelopmentQuota,
    DevelopmentRecord,
    DuesPayment,
    PartyMembership,
    Person,
    Stage,
    Transfer,
    TransferEvent,
)
from members.resources import MembershipResource, PersonResource
from members.selectors import can_view_full_identity, person_search_q
from organizations.admin_base import ScopedAdmin
from organizations.audit import record_access
from organizations.models import PartyOrganization
from organizations.scope import restrict


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class ServiceAddForm(forms.ModelForm):
    """An add form whose ``clean`` runs the creating service (inside the admin's transaction),
    so a refusal shows as a form error naming the field instead of a server error."""

    request_user = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = self.create(data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        return data

    def save(self, commit=True):
        # The service saved everything already; these models have no many-to-many fields.
        self.save_m2m = lambda: None
        return self.instance


class DevelopmentStartMixin:
    def create(self, data):
        record = services.development_start(
            person=data["person"],
            organization=data["organization"],
            applied_on=data["applied_on"],
            actor=self.request_user,
        )
        if data.get("introducers"):
            record.introducers = data["introducers"]
            record.save(update_fields=["introducers"])
        return record


class TransferRequestMixin:
    def create(self, data):
        return services.transfer_request(
            membership=data["membership"],
            to_organization=data["to_organization"],
            reason=data["reason"],
            actor=self.request_user,
        )


class DuesPayMixin:
    def create(self, data):
        return services.dues_pay(
            membership=data["membership"],
            period=data["period"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            actor=self.request_user,
            note=data.get("note", ""),
        )


def _service_form(mixin, form, user):
    return type(f"{mixin.__name__}Form", (mixin, ServiceAddForm, form), {"request_user": user})


class PersonSearchMixin:
    """Search by name, pinyin initials ("zs" → 张三), or the tail of an ID number or phone."""

    person_path = ""

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        q = person_search_q(search_term)
        if self.person_path:
            from django.db.models import Q

            q = Q(**{f"{self.person_path}__in": Person.objects.filter(q).values("pk")})
        return queryset.filter(q), False


class MembershipInline(admin.StackedInline):
    model = PartyMembership
    extra = 0
    can_delete = False
    fields = ["status", "organization", "joined_on", "full_member_on", "is_mobile", "is_invisible", "lost_contact"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class PersonIdentityForm(forms.ModelForm):
    """Wider inputs for the identity fields: people type "138-0013-8000" or an ID with spaces,
    and the model normalises them before the column's length applies."""

    id_number = forms.CharField(label="身份证号", max_length=40, required=False)
    phone = forms.CharField(label="手机号", max_length=32, required=False)

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "phone",
            "gender",
            "birth_date",
            "occupation",
            "platform",
            "territory",
            "employer",
            "home_station",
        ]


@admin.register(Person)
class PersonAdmin(PersonSearchMixin, ImportMixin, ScopedAdmin):
    resource_classes = [PersonResource]
    list_display = ["name", "masked_id", "masked_phone", "gender", "occupation", "platform", "territory", "is_member"]
    list_filter = ["occupation", "platform", "gender"]
    list_select_related = ["territory", "membership"]
    search_fields = ["name"]  # shows the box; the lookup itself is get_search_results
    search_help_text = "姓名、拼音首字母（如 zs）、身份证号或手机号后4位"
    autocomplete_fields = ["territory", "employer", "home_station"]
    inlines = [MembershipInline]

    def get_import_resource_classes(self, request):
        return [PersonResource]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description="党员", boolean=True)
    def is_member(self, obj):
        return hasattr(obj, "membership")

    def get_fields(self, request, obj=None):
        if can_view_full_identity(request.user) or obj is None:
            identity = ["id_number", "phone"]
        else:
            identity = ["masked_id", "masked_phone"]
        return [
            "name",
            *identity,
            "gender",
            "birth_date",
            "occupation",
            "platform",
            "territory",
            "employer",
            "home_station",
        ]

    def get_form(self, request, obj=None, **kwargs):
        # Only where the full values are on the page: a declared field would otherwise post an
        # empty value over the stored one for viewers who see the masked text.
        if obj is None or can_view_full_identity(request.user):
            kwargs["form"] = PersonIdentityForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not can_view_full_identity(request.user):
            # Without the full value there is nothing to correct it against.
            return ["masked_id", "masked_phone"]
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and can_view_full_identity(request.user) and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj.id_number or obj.phone:
                record_access(obj)
        return response

    def save_model(self, request, obj, form, change):
        services.person_save(person=obj)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = PartyMembership
        fields = [
            "person",
            "status",
            "organization",
            "joined_on",
            "full_member_on",
            "probation_ends_on",
            "is_new_employment",
            "is_mobile",
            "origin_organization_name",
            "co_managing_organization",
            "is_invisible",
            "found_by_survey_on",
            "last_contact_on",
        ]


@admin.register(PartyMembership)
class PartyMembershipAdmin(PersonSearchMixin, ImportMixin, ScopedAdmin):
    person_path = "person"
    form = MembershipForm
    resource_classes = [MembershipResource]
    list_display = [
        "person",
        "masked_id",
        "status",
        "organization",
        "joined_on",
        "is_mobile",
        "is_invisible",
        "lost_contact",
        "dues_monthly",
    ]
    list_filter = ["status", "is_mobile", "is_invisible", "lost_contact", "is_new_employment"]
    list_select_related = ["person", "organization"]
    search_fields = ["person__name"]
    search_help_text = "姓名、拼音首字母、身份证号或手机号后4位"
    autocomplete_fields = ["person", "organization", "co_managing_organization"]
    readonly_fields = ["lost_contact", "dues_category", "dues_monthly", "dues_income_basis", "dues_assessed_on"]
    actions = ["mark_contacted", "assess_dues", "register_invisible"]

    def get_import_resource_classes(self, request):
        return [MembershipResource]

    # Exports go the one path (core.admin_export): the list's columns, masked as on screen.
    export_extra = ("co_managing_organization", "origin_organization_name", "full_member_on", "last_contact_on")
    export_units = {"dues_monthly": "元"}
    export_totals = ("dues_monthly",)

    def export_columns(self, request):
        columns = super().export_columns(request)
        for column in columns:
            if column.header == "人员":
                column.header = "姓名"  # the person column shows the name: say so in the file
        return columns

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.person.id_number)

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj)

    @admin.action(description="登记已联系（今天），解除失联标记", permissions=["change"])
    def mark_contacted(self, request, queryset):
        for membership in queryset:
            services.membership_record_contact(membership=membership)
        self.message_user(request, f"已登记{queryset.count()}名党员今天已联系")

    def _confirm(self, request, queryset, action, title, hint, form):
        return TemplateResponse(
            request,
            "members/admin/confirm_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "queryset": queryset,
                "form": form,
                "action": action,
                "opts": self.model._meta,
                "hint": hint,
            },
        )

    @admin.action(description="核定党费", permissions=["change"])
    def assess_dues(self, request, queryset):
        form = DuesAssessForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            done, failed = 0, []
            for membership in queryset.select_related("person"):
                try:
                    services.dues_assess(
                        membership=membership,
                        category=data["category"],
                        monthly_income=data["monthly_income"],
                        quarter_incomes=form.quarter_incomes(),
                    )
                    done += 1
                except ValidationError as exc:
                    failed.append(f"{membership.person.name}：{_error_text(exc)}")
            if done:
                self.message_user(request, f"已为{done}名党员核定党费", messages.SUCCESS)
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        return self._confirm(
            request,
            queryset,
            "assess_dues",
            "核定党费",
            "按税后月收入分档：3000元及以下0.5%，3000–5000元1%，5000–10000元1.5%，10000元以上2%；"
            "收入不固定的按上季度月均收入；学生、无固定收入、依靠救济的每月0.2元。",
            form,
        )

    @admin.action(description="隐形党员登记到本地党组织", permissions=["change"])
    def register_invisible(self, request, queryset):
        form = RegisterForm(request.POST if "apply" in request.POST else None)
        form.fields["organization"].queryset = restrict(PartyOrganization.objects.all(), request.user)
        if "apply" in request.POST and form.is_valid():
            done, failed = 0, []
            for membership in queryset.select_related("person"):
                try:
                    services.membership_register_invisible(
                        membership=membership, organization=form.cleaned_data["organization"], actor=request.user
                    )
                    done += 1
                except ValidationError as exc:
                    failed.append(f"{membership.person.name}：{_error_text(exc)}")
            if done:
                self.message_user(request, f"{done}名隐形党员已登记到本地党组织", messages.SUCCESS)
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        return self._confirm(
            request, queryset, "register_invisible", "隐形党员登记", "登记后该党员纳入所选党组织管理。", form
        )


class DuesAssessForm(forms.Form):
    category = forms.ChoiceField(label="党费计算方式", choices=PartyMembership.DuesCategory.choices)
    monthly_income = forms.DecimalField(
        label="税后月收入（元，固定收入/离退休）", required=False, min_value=0, decimal_places=2, max_digits=11
    )
    quarter_1 = forms.DecimalField(label="上季度第1个月收入（元）", required=False, min_value=0, decimal_places=2)
    quarter_2 = forms.DecimalField(label="上季度第2个月收入（元）", required=False, min_value=0, decimal_places=2)
    quarter_3 = forms.DecimalField(label="上季度第3个月收入（元）", required=False, min_value=0, decimal_places=2)

    def quarter_incomes(self):
        values = [self.cleaned_data.get(f"quarter_{i}") for i in (1, 2, 3)]
        return [v for v in values if v is not None] or None


class RegisterForm(forms.Form):
    organization = forms.ModelChoiceField(label="本地党组织", queryset=PartyOrganization.objects.none())


@admin.register(DevelopmentQuota)
class DevelopmentQuotaAdmin(ScopedAdmin):
    list_display = ["body", "year", "amount", "used", "remaining", "note"]
    list_filter = ["year"]
    list_select_related = ["body"]
    search_fields = ["body__name"]

    def get_queryset(self, request):
        used = Count("records", filter=Q(records__stage__gte=Stage.PROBATIONARY))
        return super().get_queryset(request).annotate(used_places=used)

    @admin.display(description="已使用", ordering="used_places")
    def used(self, obj):
        return obj.used_places

    @admin.display(description="剩余")
    def remaining(self, obj):
        return max(obj.amount - obj.used_places, 0)


class AdvanceForm(forms.Form):
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    introducers = forms.CharField(label="入党介绍人（确定发展对象时填写）", required=False)
    quota = forms.ModelChoiceField(
        label="占用发展指标（接收预备党员时选择）", queryset=DevelopmentQuota.objects.none(), required=False
    )


class ExtendForm(forms.Form):
    months = forms.IntegerField(label="延长月数（6–12）", min_value=1, max_value=24)


def _extend_probation(modeladmin, request, queryset):
    form = ExtendForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        for record in queryset.select_related("person"):
            try:
                services.development_extend_probation(
                    record=record, months=form.cleaned_data["months"], actor=request.user
                )
                modeladmin.message_user(request, f"{record.person.name}的预备期已延长", messages.SUCCESS)
            except ValidationError as exc:
                modeladmin.message_user(request, f"{record.person.name}：{_error_text(exc)}", messages.ERROR)
        return None
    return TemplateResponse(
        request,
        "members/admin/confirm_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "延长预备期",
            "queryset": queryset,
            "form": form,
            "action": "extend_probation",
            "opts": modeladmin.model._meta,
            "hint": "预备期可延长一次，时间为6至12个月；党员的预备期满日期随之顺延。",
        },
    )


@admin.register(DevelopmentRecord)
class DevelopmentRecordAdmin(PersonSearchMixin, ScopedAdmin):
    person_path = "person"
    list_display = ["person", "stage", "organization", "applied_on", "activist_on", "candidate_on", "admitted_on"]
    list_filter = ["stage", "is_closed"]
    list_select_related = ["person", "organization"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person", "organization", "quota"]
    readonly_fields = ["stage", "activist_on", "candidate_on", "admitted_on", "full_member_on", "quota"]
    fields = [
        "person",
        "organization",
        "stage",
        "applied_on",
        "activist_on",
        "candidate_on",
        "admitted_on",
        "full_member_on",
        "introducers",
        "probation_extension_months",
        "quota",
        "is_closed",
        "closed_reason",
    ]
    actions = ["advance", "extend_probation"]
    extend_probation = admin.action(description="延长预备期", permissions=["change"])(_extend_probation)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["stage", "activist_on", "candidate_on", "admitted_on", "full_member_on", "quota"]
        return [*self.readonly_fields, "person", "organization", "applied_on", "probation_extension_months"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form = _service_form(DevelopmentStartMixin, form, request.user)
        return form

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()

    @admin.action(description="进入下一阶段（核对规定的培养时间）", permissions=["change"])
    def advance(self, request, queryset):
        form = AdvanceForm(request.POST if "apply" in request.POST else None)
        form.fields["quota"].queryset = restrict(DevelopmentQuota.objects.select_related("body"), request.user)
        if "apply" in request.POST and form.is_valid():
            done, failed = 0, []
            for record in queryset.select_related("person"):
                try:
                    with transaction.atomic():
                        services.development_advance(
                            record=record,
                            stage=record.stage + 1,
                            on=form.cleaned_data["on"],
                            introducers=form.cleaned_data["introducers"] or None,
                            quota=form.cleaned_data["quota"],
                            actor=request.user,
                        )
                    done += 1
                except (ValidationError, ValueError) as exc:
                    text = _error_text(exc) if isinstance(exc, ValidationError) else "已是正式党员，没有下一阶段"
                    failed.append(f"{record.person.name}：{text}")
            if done:
                self.message_user(request, f"{done}人已进入下一阶段", messages.SUCCESS)
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "members/admin/confirm_action.html",
            {
                **self.admin_site.each_context(request),
                "title": "进入下一阶段",
                "queryset": queryset,
                "form": form,
                "action": "advance",
                "opts": self.model._meta,
                "hint": (
                    "系统将逐人核对：积极分子培养满一年方可确定为发展对象；预备期满一年方可转正；"
                    "接收预备党员须占用当年发展指标。"
                ),
            },
        )


class TransferEventInline(admin.TabularInline):
    model = TransferEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200)


@admin.register(Transfer)
class TransferAdmin(PersonSearchMixin, ScopedAdmin):
    person_path = "membership__person"
    list_display = ["member", "from_organization", "to_organization", "status", "requested_at", "valid_until"]
    list_filter = ["status"]
    list_select_related = ["membership__person", "from_organization", "to_organization"]
    search_fields = ["membership__person__name"]
    autocomplete_fields = ["membership"]
    inlines = [TransferEventInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "to_organization":
            # The receiving organization may be anywhere in the city (that is the point of an
            # online transfer), so its choices are not limited to the requester's scope.
            kwargs["queryset"] = PartyOrganization.objects.exclude(status=PartyOrganization.Status.DISSOLVED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    actions = ["approve", "accept", "reject", "cancel"]

    def get_queryset(self, request):
        # Both ends of a transfer see it: the door is Transfer.objects.visible_to.
        return admin.ModelAdmin.get_queryset(self, request).visible_to(request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["membership", "to_organization", "reason"]
        return [
            "membership",
            "from_organization",
            "to_organization",
            "status",
            "reason",
            "reject_reason",
            "requested_at",
            "valid_until",
            "decided_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description="党员", ordering="membership__person__name")
    def member(self, obj):
        return obj.membership.person.name

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return _service_form(TransferRequestMixin, form, request.user) if obj is None else form

    def save_model(self, request, obj, form, change):
        """Created by the form (transfer_request); steps are the actions, never an edit."""

    def _confirm(self, request, queryset, action: str, title: str, hint: str, form=None):
        return TemplateResponse(
            request,
            "members/admin/confirm_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "queryset": queryset,
                "form": form,
                "action": action,
                "opts": self.model._meta,
                "hint": hint,
            },
        )

    def _run(self, request, queryset, func, done_text, **kwargs):
        done, failed = 0, []
        for transfer in queryset.select_related("membership__person", "from_organization", "to_organization"):
            try:
                func(transfer=transfer, actor=request.user, **kwargs)
                done += 1
            except ValidationError as exc:
                failed.append(f"{transfer.membership.person.name}：{_error_text(exc)}")
        if done:
            self.message_user(request, f"{done}件{done_text}", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="转出审批通过", permissions=["change"])
    def approve(self, request, queryset):
        if "apply" in request.POST:
            return self._run(request, queryset, services.transfer_approve, "已审批通过，等待转入党组织接收")
        return self._confirm(
            request, queryset, "approve", "转出审批通过", "审批通过后，介绍信发往转入党组织，由其接收。"
        )

    @admin.action(description="接收（转入党组织）", permissions=["change"])
    def accept(self, request, queryset):
        if "apply" in request.POST:
            return self._run(request, queryset, services.transfer_accept, "已接收，党员组织关系已转入")
        return self._confirm(
            request, queryset, "accept", "接收组织关系", "接收后，党员的所在党组织即变更为转入党组织。"
        )

    @admin.action(description="退回（须填写原因）", permissions=["change"])
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            return self._run(request, queryset, services.transfer_reject, "已退回", reason=form.cleaned_data["reason"])
        return self._confirm(request, queryset, "reject", "退回组织关系转接", "退回后该转接办结，须重新发起。", form)

    @admin.action(description="撤销申请", permissions=["change"])
    def cancel(self, request, queryset):
        if "apply" in request.POST:
            return self._run(request, queryset, services.transfer_cancel, "已撤销")
        return self._confirm(request, queryset, "cancel", "撤销组织关系转接", "撤销后该转接办结。")


@admin.register(DuesPayment)
class DuesPaymentAdmin(PersonSearchMixin, ScopedAdmin):
    person_path = "membership__person"
    list_display = ["member", "period", "amount", "paid_on", "recorded_by"]
    export_units = {"amount": "元"}
    export_totals = ("amount",)
    list_filter = ["period"]
    list_select_related = ["membership__person", "recorded_by"]
    search_fields = ["membership__person__name"]
    autocomplete_fields = ["membership"]
    fields = ["membership", "period", "amount", "paid_on", "note"]
    date_hierarchy = "period"

    @admin.display(description="党员", ordering="membership__person__name")
    def member(self, obj):
        return obj.membership.person.name

    def get_readonly_fields(self, request, obj=None):
        # A ledger: a recorded payment is corrected by a note, not rewritten.
        return ["membership", "period", "amount", "paid_on"] if obj else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return _service_form(DuesPayMixin, form, request.user) if obj is None else form

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["note"])
