"""Admin (Chinese) for the three lists and agreements. Saves go through the services; states
(need status, project status and progress) are read-only here and move through claims,
论证 and progress reports."""

from django import forms
from django.contrib import admin, messages

from cobuild import services
from cobuild.models import (
    Agreement,
    AgreementParty,
    Alliance,
    AllianceMember,
    Claim,
    Need,
    Project,
    ProjectUpdate,
    Resource,
)
from organizations.admin_base import ScopedAdmin, ScopedInline
from organizations.scope import assert_placed, restrict


def same_alliance_form(model, member_field: str, label: str, fields: list[str]) -> type[forms.ModelForm]:
    """A form that refuses, on the field, a member of another alliance: the service would
    refuse it too, but only the form can show the message beside the field."""

    class _Form(forms.ModelForm):
        class Meta:
            pass

        def clean(self):
            data = super().clean()
            alliance, member = data.get("alliance"), data.get(member_field)
            if alliance and member and member.alliance_id != alliance.pk:
                self.add_error(member_field, f"{label}：“{member}”不是“{alliance}”的成员单位")
            return data

    _Form.Meta.model, _Form.Meta.fields = model, fields
    return _Form


class MemberInline(ScopedInline, admin.TabularInline):
    model = AllianceMember
    fields = ["name", "unit", "body", "contact", "joined_on"]
    autocomplete_fields = ["unit"]
    extra = 1


@admin.register(Alliance)
class AllianceAdmin(ScopedAdmin):
    list_display = ["name", "territory", "organization", "body", "created_at"]
    list_select_related = ["territory", "organization", "body"]
    search_fields = ["name"]
    autocomplete_fields = ["territory", "organization"]
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change):
        services.alliance_save(alliance=obj, actor=request.user)


@admin.register(AllianceMember)
class AllianceMemberAdmin(ScopedAdmin):
    list_display = ["name", "alliance", "unit", "body", "contact"]
    list_select_related = ["alliance", "unit", "body"]
    search_fields = ["name", "alliance__name"]
    list_filter = ["alliance"]
    autocomplete_fields = ["unit"]

    def save_model(self, request, obj, form, change):
        services.member_save(member=obj, actor=request.user)


@admin.register(Resource)
class ResourceAdmin(ScopedAdmin):
    form = same_alliance_form(
        Resource,
        "owner",
        "提供单位",
        [
            "alliance",
            "owner",
            "kind",
            "category",
            "name",
            "description",
            "capacity",
            "capacity_unit",
            "availability",
            "is_available",
            "address",
            "longitude",
            "latitude",
        ],
    )
    list_display = ["name", "kind", "category", "owner", "capacity", "capacity_unit", "is_available", "alliance"]
    list_filter = ["kind", "category", "is_available"]
    list_select_related = ["owner", "alliance"]
    search_fields = ["name", "owner__name"]

    def save_model(self, request, obj, form, change):
        services.resource_save(resource=obj, actor=request.user)


class ClaimInline(ScopedInline, admin.TabularInline):
    model = Claim
    fields = ["resource", "direction", "status", "created_at", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Need)
class NeedAdmin(ScopedAdmin):
    form = same_alliance_form(
        Need,
        "holder",
        "提出单位",
        [
            "alliance",
            "holder",
            "raised_by",
            "category",
            "title",
            "description",
            "quantity",
            "raised_on",
            "address",
            "longitude",
            "latitude",
        ],
    )
    list_display = ["title", "category", "raised_by", "quantity", "status", "raised_on", "alliance"]
    list_filter = ["status", "category"]
    list_select_related = ["alliance"]
    search_fields = ["title", "raised_by"]
    readonly_fields = ["status", "met_on"]
    inlines = [ClaimInline]

    def save_model(self, request, obj, form, change):
        services.need_save(need=obj, actor=request.user)


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin):
    list_display = ["need", "resource", "direction", "status", "created_at", "decided_at"]
    list_filter = ["status", "direction"]
    list_select_related = ["need", "resource"]
    actions = ["accept", "decline", "fulfil"]

    def has_add_permission(self, request):
        return False  # claims are made on the matching board or through the API

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def _apply(self, request, queryset, call, verb):
        done = 0
        for claim in queryset.select_related("need__alliance"):
            try:
                call(claim)
                done += 1
            except services.CobuildError as exc:
                self.message_user(request, f"{claim}：{exc}", messages.ERROR)
        self.message_user(request, f"已{verb} {done} 条认领", messages.SUCCESS)

    @admin.action(description="确认对接", permissions=["decide"])
    def accept(self, request, queryset):
        self._apply(
            request, queryset, lambda c: services.claim_decide(claim=c, actor=request.user, accept=True), "对接"
        )

    @admin.action(description="婉拒", permissions=["decide"])
    def decline(self, request, queryset):
        self._apply(
            request, queryset, lambda c: services.claim_decide(claim=c, actor=request.user, accept=False), "婉拒"
        )

    @admin.action(description="标记已完成（需求已满足）", permissions=["decide"])
    def fulfil(self, request, queryset):
        self._apply(request, queryset, lambda c: services.claim_fulfil(claim=c, actor=request.user), "完成")

    def has_decide_permission(self, request):
        return request.user.has_perm("cobuild.change_claim")


class UpdateInline(ScopedInline, admin.TabularInline):
    model = ProjectUpdate
    fields = ["recorded_at", "progress", "note", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    form = same_alliance_form(
        Project, "lead", "牵头单位", ["alliance", "lead", "title", "description", "needs", "budget_yuan", "proposed_on"]
    )
    list_display = ["title", "lead", "status", "progress", "budget_yuan", "proposed_on", "done_on", "alliance"]
    list_filter = ["status"]
    list_select_related = ["lead", "alliance"]
    search_fields = ["title"]
    readonly_fields = ["status", "progress", "review_opinion", "reviewed_by", "reviewed_at", "done_on"]
    filter_horizontal = ["needs"]
    inlines = [UpdateInline]

    def save_model(self, request, obj, form, change):
        services.project_save(project=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        needs = list(form.instance.needs.all())
        foreign = [n for n in needs if n.alliance_id != form.instance.alliance_id]
        if foreign:
            form.instance.needs.remove(*foreign)
            messages.warning(request, f"已移除不属于本联盟的需求：{'、'.join(map(str, foreign))}")


class PartyFormSet(forms.BaseInlineFormSet):
    """On signing, the parties are checked together by the service's own rules, so the
    reasons show above the rows and nothing is saved until they hold."""

    def parties(self) -> list[tuple[AllianceMember, str]]:
        return [
            (f.cleaned_data["member"], f.cleaned_data.get("obligations") or "")
            for f in self.forms
            if f.cleaned_data and f.cleaned_data.get("member") and not f.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        if self.instance.pk is None and self.instance.alliance_id and not any(self.errors):
            problems = services.agreement_problems(alliance=self.instance.alliance, parties=self.parties())
            if problems:
                raise forms.ValidationError(problems)


class PartyInline(ScopedInline, admin.TabularInline):
    """签约方: entered once, with the agreement; a signed agreement's parties stay as signed."""

    model = AgreementParty
    formset = PartyFormSet
    fields = ["member", "obligations"]
    can_delete = False

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 3

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else []

    def has_add_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("cobuild.add_agreement")

    def has_change_permission(self, request, obj=None):
        return False if obj else super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            kwargs["queryset"] = restrict(AllianceMember.objects.select_related("alliance"), request.user).order_by(
                "alliance_id", "name"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Agreement)
class AgreementAdmin(ScopedAdmin):
    """共建协议: signed here (or on the API) through ``agreement_sign`` with its parties checked
    together; once signed it is a record — nothing is edited, a new term is a renewal."""

    list_display = ["title", "alliance", "signed_on", "starts_on", "ends_on", "renews"]
    list_select_related = ["alliance", "renews"]
    list_filter = ["alliance"]
    search_fields = ["title"]
    fields = ["alliance", "title", "content", "signed_on", "starts_on", "ends_on", "renews"]
    inlines = [PartyInline]
    actions = ["renew"]

    def get_fields(self, request, obj=None):
        return self.fields if obj else [f for f in self.fields if f != "renews"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else []

    def save_model(self, request, obj, form, change):
        """Nothing here: the agreement and its parties are written together in ``save_related``."""

    def save_related(self, request, form, formsets, change):
        if change:
            return  # a signed agreement is read-only
        party_sets = [f for f in formsets if isinstance(f, PartyFormSet)]
        data = form.cleaned_data
        agreement = services.agreement_sign(
            alliance=data["alliance"],
            actor=request.user,
            title=data["title"],
            content=data.get("content", ""),
            signed_on=data["signed_on"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            parties=[p for f in party_sets for p in f.parties()],
        )
        form.instance.pk = agreement.pk  # the admin's message, log and redirect name this row
        for formset in formsets:  # read by the admin's change message; saved by the service
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        assert_placed(request.user, agreement)

    @admin.action(description="续签一年（签约方与承诺不变）", permissions=["change"])
    def renew(self, request, queryset):
        for agreement in queryset:
            try:
                services.agreement_renew(agreement=agreement, actor=request.user)
                self.message_user(request, f"“{agreement}”已续签", messages.SUCCESS)
            except services.CobuildError as exc:
                self.message_user(request, f"“{agreement}”：{exc}", messages.ERROR)
