"""Forms of the public intake and the handler actions; they parse, the services decide."""

from __future__ import annotations

from django import forms

from core.forms import ProseField
from core.text import clean_code, to_halfwidth
from grievances.models import Category, Channel, Grievance, Priority
from grievances.photos import MAX_PHOTOS
from members.validators import normalize_phone, phone_error
from organizations.models import Body, Territory


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleImageInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(f"最多上传 {MAX_PHOTOS} 张照片")
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class StreetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name if hasattr(obj, "full_name") else str(obj)


def street_queryset():
    return Territory.objects.filter(level=Territory.Level.STREET).order_by("path")


class KnownCategoryField(forms.ModelChoiceField):
    """The category choice; a door that already read the chosen active category (in its own
    query: ``selectors.intake_station``) sets ``known`` and the choice is not read again."""

    known: Category | None = None

    def to_python(self, value):
        if self.known is not None and value not in self.empty_values and str(value) == str(self.known.pk):
            return self.known
        return super().to_python(value)


class PublicIntakeForm(forms.Form):
    territory = StreetChoiceField(
        label="所在街道",
        queryset=Territory.objects.none(),
        empty_label="请选择街道/镇",
        error_messages={"required": "请选择诉求所在的街道", "invalid_choice": "所选街道不存在"},
    )
    category = KnownCategoryField(
        label="诉求类别",
        # Lazy, declared once: each form's copy of the field clones it (no query until used).
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label="不确定（由工作人员分类）",
    )
    text = ProseField(
        label="诉求内容",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "请写清楚遇到的问题、地点和希望怎么解决"}),
        error_messages={"required": "请填写诉求内容", "max_length": "诉求内容不能超过 2000 字"},
    )
    contact_name = forms.CharField(label="称呼", max_length=32, required=False)
    contact_phone = forms.CharField(
        label="手机号",
        max_length=20,
        help_text="用于接收办理结果和查询进度，不会公开",
        error_messages={"required": "请填写手机号，以便通知办理结果"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    is_anonymous = forms.BooleanField(label="对外匿名（工作人员仍可联系您）", required=False)
    photos = MultipleImageField(label="照片（可选，最多 3 张）")

    def __init__(self, *args, station=None, campaign=None, known_category=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].known = known_category
        if station is not None:
            # The station fixes the place: no need to ask (StationIntakeForm has no such field).
            self.fields.pop("territory", None)
        else:
            streets = street_queryset()
            if campaign is not None:
                streets = streets.filter(path__startswith=campaign.territory.path)
            self.fields["territory"].queryset = streets

    def clean_contact_phone(self):
        phone = normalize_phone(self.cleaned_data["contact_phone"])
        error = phone_error(phone)
        if error:
            raise forms.ValidationError(error)
        return phone


class StationIntakeForm(PublicIntakeForm):
    """The form behind a station's QR code: the station fixes the place, so the street is not a
    field at all (rather than a field copied for every request and then dropped)."""

    territory = None


class StaffIntakeForm(PublicIntakeForm):
    """A hotline operator or a cadre records a case on behalf of a worker."""

    channel = forms.ChoiceField(
        label="渠道",
        choices=[
            (c.value, c.label)
            for c in (Channel.HOTLINE, Channel.STAFF, Channel.DIRECT, Channel.SUGGESTION, Channel.SURVEY)
        ],
    )
    priority = forms.ChoiceField(label="紧急程度", choices=Priority.choices, initial=Priority.NORMAL)

    def __init__(self, *args, territories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"].required = False
        if territories is not None:
            self.fields["territory"].queryset = territories

    def clean_contact_phone(self):
        raw = self.cleaned_data.get("contact_phone") or ""
        return super().clean_contact_phone() if raw.strip() else ""


class StatusLookupForm(forms.Form):
    ticket = forms.CharField(
        label="受理编号",
        max_length=20,
        error_messages={"required": "请填写受理编号"},
        widget=forms.TextInput(attrs={"placeholder": "如 SQ20261123-00042", "autocapitalize": "characters"}),
    )
    phone_tail = forms.RegexField(
        label="手机号后四位",
        regex=r"^\d{4}$",
        error_messages={"required": "请填写手机号后四位", "invalid": "请填写手机号后四位数字"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
    )

    def clean_ticket(self):
        return clean_code(self.cleaned_data["ticket"])

    def clean_phone_tail(self):
        # ``\d`` also matches full-width digits, which no stored phone ends with.
        return to_halfwidth(self.cleaned_data["phone_tail"])


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="满意度",
        coerce=int,
        choices=[(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意度"},
    )
    comment = forms.CharField(label="评价（可选）", max_length=200, required=False)


class ReopenForm(forms.Form):
    reason = ProseField(
        label="仍未解决的情况",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请说明需要重新办理的原因"},
    )


class SupplementForm(forms.Form):
    text = ProseField(
        label="补充内容",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "工作人员请您补充的情况、新的进展或更准确的地点"}),
        error_messages={"required": "请填写补充内容", "max_length": "补充内容不能超过 1000 字"},
    )


class TextActionForm(forms.Form):
    text = ProseField(
        label="内容",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写内容"},
    )

    def __init__(self, *args, label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label


class TransferForm(forms.Form):
    body = forms.ModelChoiceField(
        label="转至单位", queryset=Body.objects.all(), required=False, empty_label="退回属地街道（兜底）"
    )
    text = forms.CharField(label="转办说明", max_length=500, required=False)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(
        label="延长工作日",
        min_value=1,
        max_value=30,
        error_messages={"min_value": "至少延长 1 个工作日", "max_value": "最多延长 30 个工作日"},
    )
    reason = forms.CharField(label="理由", max_length=200)


class DuplicateForm(forms.Form):
    master = forms.CharField(label="主件受理编号", max_length=40)

    def clean_master(self):
        return clean_code(self.cleaned_data["master"])


class RecategorizeForm(forms.Form):
    category = forms.ModelChoiceField(label="新分类", queryset=Category.objects.filter(is_active=True))


class ProjectCloseForm(forms.Form):
    explanation = ProseField(label="办结说明（统一答复关联诉求）", widget=forms.Textarea(attrs={"rows": 4}))


class ProjectProgressForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", choices=[("proposed", "建议立项"), ("active", "推进中"), ("dismissed", "不立项")]
    )
    progress = forms.IntegerField(label="进度（%）", min_value=0, max_value=100)
    owner_name = forms.CharField(label="负责人", max_length=64, required=False)
    owner = forms.ModelChoiceField(label="牵头单位", queryset=Body.objects.all(), required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点", max_length=100)
    due_on = forms.DateField(label="计划日期", widget=forms.DateInput(attrs={"type": "date"}))


STATE_LABELS = dict(Grievance.State.choices)
