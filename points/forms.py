from django import forms

from core.forms import ProseField
from points.models import PhotoReport, VolunteerTask


class AwardForm(forms.Form):
    rule = forms.TypedChoiceField(label="积分项目", coerce=int)
    note = forms.CharField(label="事由", max_length=150, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Shown only when the same rule was awarded to the person a few minutes ago (the view asks).
    again = forms.BooleanField(label="确认再次发放", required=False)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = {r.pk: r for r in rules}
        self.fields["rule"].choices = [(r.pk, f"{r.category.name} · {r.name}（{r.points}分）") for r in rules]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=150)


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=VolunteerTask.Kind.choices)
    title = forms.CharField(label="任务名称", max_length=100)
    description = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    place = forms.CharField(label="地点", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label="结束时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    slots = forms.IntegerField(label="名额", min_value=1, max_value=10000)
    points = forms.IntegerField(label="完成积分", min_value=1, max_value=10000)
    rule = forms.TypedChoiceField(label="积分项目", coerce=int)
    publisher = forms.ChoiceField(label="发布方")

    def __init__(self, *args, rules=(), stations=(), bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = {r.pk: r for r in rules}
        self.fields["rule"].choices = [(r.pk, f"{r.category.name} · {r.name}") for r in rules]
        self.stations = {f"station:{s.pk}": s for s in stations}
        self.bodies = {f"body:{b.pk}": b for b in bodies}
        self.fields["publisher"].choices = [
            ("驿站", [(k, str(v)) for k, v in self.stations.items()]),
            ("机构", [(k, str(v)) for k, v in self.bodies.items()]),
        ]

    def publisher_kwargs(self) -> dict:
        key = self.cleaned_data["publisher"]
        if key in self.stations:
            return {"station": self.stations[key], "publisher_body": None}
        return {"station": None, "publisher_body": self.bodies[key]}


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="手机号", max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )


class CodeForm(PhoneForm):
    code = forms.CharField(label="验证码", max_length=6, widget=forms.TextInput(attrs={"inputmode": "numeric"}))


class PhotoReportForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PhotoReport.Kind.choices)
    text = ProseField(label="情况描述", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    photo = forms.FileField(
        label="照片", widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})
    )
    location_text = forms.CharField(label="位置描述", max_length=200, required=False)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False)
    latitude = forms.CharField(widget=forms.HiddenInput, required=False)
