"""People: the person list and page, with identity fields masked unless the viewer may see them."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.masking import birth_year, mask_id_number, mask_phone
from members import services
from members.admin.attendance import person_meetings
from members.admin.common import PersonSearchMixin
from members.models import PartyMembership, Person
from members.selectors import can_view_full_identity
from organizations.admin_base import ScopedAdmin
from organizations.admin_filters import territory_filters
from organizations.audit import record_access


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
    actor = None  # the writer, set by PersonAdmin.get_form: the clash message depends on their scope

    def validate_unique(self):
        # The model's unique check would say "具有 身份证号 的 人员 已存在。" for any clash; the
        # service's rule says who it is only to a writer who may see that person.
        exclude = self._get_validation_exclusions()
        exclude.add("id_number")
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)
        if "id_number" not in self.errors and (
            message := services.person_id_clash(person=self.instance, actor=self.actor)
        ):
            self.add_error("id_number", message)

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
        ]


@admin.register(Person)
class PersonAdmin(PersonSearchMixin, ScopedAdmin):
    survey_import_kind = "members"  # 导入 → the survey upload (core.admin_export)
    # Fits 1440 px beside the filters; the ID number, gender and platform are on the detail page
    # and in the export.
    list_display = ["name", "masked_phone", "occupation", "territory", "is_member"]
    export_extra = ("masked_id", "gender", "platform")
    list_filter = [*territory_filters(), "occupation", "platform", "gender"]
    list_select_related = ["territory", "membership"]
    search_fields = ["name"]  # shows the box; the lookup itself is get_search_results
    search_help_text = "姓名、拼音首字母（如 zs）、完整身份证号、完整手机号或手机号后4位"
    autocomplete_fields = ["territory", "employer"]
    inlines = [MembershipInline]

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
            birth = "birth_date"
        else:
            # The birth year, never the full date beside the masked ID (core.masking).
            identity = ["masked_id", "masked_phone"]
            birth = "masked_birth"
        return [
            "name",
            *identity,
            "gender",
            birth,
            "occupation",
            "platform",
            "territory",
            "employer",
            *(["meeting_record"] if obj is not None else []),
        ]

    def get_form(self, request, obj=None, **kwargs):
        # Only where the full values are on the page: a declared field would otherwise post an
        # empty value over the stored one for viewers who see the masked text.
        if obj is None or can_view_full_identity(request.user):
            kwargs["form"] = type("PersonIdentityForm", (PersonIdentityForm,), {"actor": request.user})
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if not can_view_full_identity(request.user):
            # Without the full value there is nothing to correct it against.
            return ["masked_id", "masked_phone", "masked_birth", "meeting_record"]
        return ["meeting_record"]

    @admin.display(description="三会一课出席记录（最近20次）")
    def meeting_record(self, obj):
        return person_meetings(obj)

    @admin.display(description="出生年份")
    def masked_birth(self, obj):
        year = birth_year(obj.birth_date)
        return f"{year}年" if year else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and can_view_full_identity(request.user) and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj.id_number or obj.phone:
                record_access(obj)
        return response

    def save_model(self, request, obj, form, change):
        services.person_save(person=obj, actor=request.user)
