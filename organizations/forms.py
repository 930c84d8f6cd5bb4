"""Forms of the ground floor (admin pages and the lifecycle page)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils import timezone

from core.validation import DateChecks
from organizations.models import OrganizationEvent, PartyOrganization, Territory, Unit
from organizations.scope import restrict

ORG_FIELDS = [
    "code",
    "name",
    "kind",
    "status",
    "territory",
    "industry_committee",
    "establishment_mode",
    "area_type",
    "founded_on",
    "founding_document_no",
    "instructor",
    "formed_for_shortage",
    "over_limit_reason",
]


def organization_autocomplete():
    # The admin autocomplete needs a relation to describe; Unit.organization points at
    # PartyOrganization without limit_choices_to, and the JSON view reads through the scoped admin.
    return AutocompleteSelect(Unit._meta.get_field("organization"), admin.site)


class PartyOrganizationForm(forms.ModelForm):
    """Organizations are placed in the subordination tree once, when created (上级党组织);
    moving one later is a 转入 on the lifecycle page, so its history records it."""

    parent = forms.ModelChoiceField(
        label="上级党组织",
        queryset=PartyOrganization.objects.none(),
        required=False,
        widget=organization_autocomplete(),
        help_text="隶属关系。新建后如需调整，请在“生命周期”中办理转入。",
    )

    class Meta:
        model = PartyOrganization
        fields = ORG_FIELDS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = restrict(PartyOrganization.objects.all(), user)
            self.initial.setdefault("status", PartyOrganization.Status.PREPARING)

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        user = self.user
        if parent is None and not (user and user.is_superuser):
            raise forms.ValidationError("请选择上级党组织（只有系统管理员可以新建根节点）")
        return parent


class LifecycleForm(forms.Form):
    kind = forms.ChoiceField(label="事件", choices=OrganizationEvent.Kind.choices)
    occurred_on = forms.DateField(
        label="日期", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    document_no = forms.CharField(label="批复文号", max_length=64, required=False)
    reason = forms.CharField(label="原因/说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    to_kind = forms.ChoiceField(
        label="升格为",
        required=False,
        choices=[("", "（下一层级）")]
        + [
            (k.value, k.label)
            for k in (
                PartyOrganization.Kind.BRANCH,
                PartyOrganization.Kind.GENERAL_BRANCH,
                PartyOrganization.Kind.COMMITTEE,
            )
        ],
    )
    new_parent = forms.ModelChoiceField(
        label="转入到（上级党组织）",
        queryset=PartyOrganization.objects.none(),
        required=False,
        widget=organization_autocomplete(),
    )
    counterpart = forms.CharField(label="转入来源/转出去向", max_length=150, required=False)
    territory = forms.ModelChoiceField(
        label="新属地",
        queryset=Territory.objects.none(),
        required=False,
        widget=AutocompleteSelect(PartyOrganization._meta.get_field("territory"), admin.site),
    )
    industry_committee = forms.ModelChoiceField(
        label="新双纳管行业党委",
        queryset=PartyOrganization.objects.none(),
        required=False,
        widget=AutocompleteSelect(PartyOrganization._meta.get_field("industry_committee"), admin.site),
    )
    clear_industry = forms.BooleanField(label="解除双纳管", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = restrict(PartyOrganization.objects.all(), user)
        self.fields["territory"].queryset = restrict(Territory.objects.all(), user)
        self.fields["industry_committee"].queryset = restrict(
            PartyOrganization.objects.filter(kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE), user
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == OrganizationEvent.Kind.TRANSFERRED_IN and not data.get("new_parent"):
            self.add_error("new_parent", "转入须选择转入到的上级党组织")
        if kind == OrganizationEvent.Kind.TRANSFERRED_OUT and not (data.get("counterpart") or "").strip():
            self.add_error("counterpart", "转出须填写去向")
        if kind == OrganizationEvent.Kind.DISSOLVED and not (data.get("reason") or "").strip():
            self.add_error("reason", "撤销须填写原因")
        if kind == OrganizationEvent.Kind.RELOCATED:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "调整属地或双纳管须填写原因")
            if not (data.get("territory") or data.get("industry_committee") or data.get("clear_industry")):
                self.add_error("territory", "请选择新属地或新双纳管行业党委")
        for field, message in DateChecks().fact("occurred_on", data.get("occurred_on"), "日期").errors.items():
            self.add_error(field, message)
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        kind = d["kind"]
        base = {"on": d["occurred_on"], "reason": d.get("reason", "")}
        if kind == OrganizationEvent.Kind.ESTABLISHED:
            return {**base, "document_no": d.get("document_no", "")}
        if kind == OrganizationEvent.Kind.TRANSFERRED_IN:
            return {**base, "new_parent": d["new_parent"], "counterpart": d.get("counterpart", "")}
        if kind == OrganizationEvent.Kind.TRANSFERRED_OUT:
            return {**base, "counterpart": d.get("counterpart", "")}
        if kind == OrganizationEvent.Kind.UPGRADED:
            return {**base, "to_kind": d.get("to_kind", ""), "document_no": d.get("document_no", "")}
        if kind == OrganizationEvent.Kind.RELOCATED:
            return {
                **base,
                "territory": d.get("territory"),
                "industry_committee": d.get("industry_committee"),
                "clear_industry": bool(d.get("clear_industry")),
            }
        return {**base, "document_no": d.get("document_no", "")}
