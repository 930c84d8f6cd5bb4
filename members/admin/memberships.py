"""Party memberships: the register, its import/export, and the contact, dues and registration actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin import ConfirmActionMixin
from core.masking import mask_id_number
from members import services
from members.admin.common import PersonSearchMixin
from members.models import PartyMembership
from organizations.admin_base import ScopedAdmin
from organizations.admin_filters import territory_filters
from organizations.models import PartyOrganization
from organizations.scope import restrict


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
class PartyMembershipAdmin(ConfirmActionMixin, PersonSearchMixin, ScopedAdmin):
    person_path = "person"
    form = MembershipForm
    survey_import_kind = "members"  # 导入 → the survey upload (core.admin_export)
    # Fits 1440 px beside the filters; the ID number and the mobile/invisible flags are on the
    # detail page, as filters and in the export.
    list_display = ["person", "status", "organization", "joined_on", "lost_contact", "dues_monthly"]
    list_filter = [
        *territory_filters("organization__territory"),
        "status",
        "is_mobile",
        "is_invisible",
        "lost_contact",
        "is_new_employment",
    ]
    list_select_related = ["person", "organization"]
    search_fields = ["person__name"]
    search_help_text = "姓名、拼音首字母、身份证号或手机号后4位"
    autocomplete_fields = ["person", "organization", "co_managing_organization"]
    readonly_fields = ["lost_contact", "dues_category", "dues_monthly", "dues_income_basis", "dues_assessed_on"]
    actions = ["mark_contacted", "assess_dues", "register_invisible"]

    # Exports go the one path (core.admin_export): the list's columns, masked as on screen.
    export_extra = (
        "masked_id",
        "is_mobile",
        "is_invisible",
        "co_managing_organization",
        "origin_organization_name",
        "full_member_on",
        "last_contact_on",
    )
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

    def get_readonly_fields(self, request, obj=None):
        # On a member on record, organization and standing change by their procedures only
        # (组织关系转接, 转正): read-only here as the service refuses them (LIFECYCLE_FIELDS).
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        return [*fields, "status", "organization", "full_member_on", "probation_ends_on"]

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj)

    @admin.action(description="登记已联系（今天），解除失联标记", permissions=["change"])
    def mark_contacted(self, request, queryset):
        for membership in queryset:
            services.membership_record_contact(membership=membership)
        self.message_user(request, f"已登记{queryset.count()}名党员今天已联系")

    @admin.action(description="核定党费", permissions=["change"])
    def assess_dues(self, request, queryset):
        form = self.bound_action_form(request, DuesAssessForm)

        def assess(membership):
            data = form.cleaned_data
            services.dues_assess(
                membership=membership,
                category=data["category"],
                monthly_income=data["monthly_income"],
                quarter_incomes=form.quarter_incomes(),
            )

        return self.confirm_and_loop(
            request,
            queryset,
            action="assess_dues",
            title="核定党费",
            hint="按税后月收入分档：3000元及以下0.5%，3000–5000元1%，5000–10000元1.5%，10000元以上2%；"
            "收入不固定的按上季度月均收入；学生、无固定收入、依靠救济的每月0.2元。",
            form=form,
            rows=queryset.select_related("person"),
            each=assess,
            label=lambda membership: membership.person.name,
            done=lambda n: f"已为{n}名党员核定党费",
        )

    @admin.action(description="隐形党员登记到本地党组织", permissions=["change"])
    def register_invisible(self, request, queryset):
        form = self.bound_action_form(request, RegisterForm)
        form.fields["organization"].queryset = restrict(PartyOrganization.objects.all(), request.user)
        return self.confirm_and_loop(
            request,
            queryset,
            action="register_invisible",
            title="隐形党员登记",
            hint="登记后该党员纳入所选党组织管理。",
            form=form,
            rows=queryset.select_related("person"),
            each=lambda membership: services.membership_register_invisible(
                membership=membership, organization=form.cleaned_data["organization"], actor=request.user
            ),
            label=lambda membership: membership.person.name,
            done=lambda n: f"{n}名隐形党员已登记到本地党组织",
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
