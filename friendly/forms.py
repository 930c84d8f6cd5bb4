from __future__ import annotations

from django import forms

from friendly.models import MerchantClaim
from members.validators import normalize_phone, phone_error
from organizations.models import Territory
from organizations.validators import credit_code_error, normalize_credit_code


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def clean_phone(self):
        phone = normalize_phone(self.cleaned_data["phone"])
        error = phone_error(phone)
        if error:
            raise forms.ValidationError(error)
        return phone


class CodeForm(PhoneForm):
    code = forms.CharField(label="验证码", max_length=6, widget=forms.TextInput(attrs={"inputmode": "numeric"}))


class TypedCodeForm(forms.Form):
    code = forms.CharField(
        label="通行码",
        max_length=12,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "placeholder": "8位"}),
    )


class StreetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parent = type(obj).objects.get_parent(obj)
        return f"{parent.name} {obj.name}" if parent else obj.name


class MerchantClaimForm(forms.ModelForm):
    territory = StreetChoiceField(
        label="所在街道（镇）",
        queryset=Territory.objects.filter(level=Territory.Level.STREET).order_by("path"),
        empty_label="请选择",
    )
    # Wider than the stored 11 digits: "+86 139-1234-0000" and full-width digits are normalised.
    contact_phone = forms.CharField(label="联系电话", max_length=24, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    photo = forms.ImageField(label="门头照片", required=False, help_text="JPG/PNG，5MB 以内；位置信息会被去除")

    class Meta:
        model = MerchantClaim
        fields = [
            "merchant_name",
            "credit_code",
            "territory",
            "address",
            "contact_name",
            "contact_phone",
            "hours_text",
            "green_channel",
            "care_meal",
            "other_offers",
        ]

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data.get("credit_code") or "")
        if code:
            error = credit_code_error(code)
            if error:
                raise forms.ValidationError(error)
        return code

    def clean_contact_phone(self):
        phone = normalize_phone(self.cleaned_data["contact_phone"])
        error = phone_error(phone)
        if error:
            raise forms.ValidationError(error)
        return phone
