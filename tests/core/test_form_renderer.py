"""The form renderer's Python inputs and error lists print exactly what Django's templates do."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorDict, ErrorList
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.form_renderer import SOURCES, FastTemplates, render_input, render_select

FAST, SLOW = FastTemplates(), DjangoTemplates()

ATTRS = [
    None,
    {},
    {"class": "vTextField", "maxlength": 32, "required": True, "disabled": False, "id": "id_form-0-name"},
    {"placeholder": '"quoted" <b>&\'', "data-x": mark_safe("<safe>&"), "min": 0, "step": 1.5},
    {"aria-label": gettext_lazy("Search"), "autofocus": True, "readonly": False},
    {"data-none": None, "data-tuple": (1, 2), "data-list": ["a", "<b>"]},
]
VALUES = [None, "", "text", "a \"b\" <c> & 'd'", mark_safe("<i>safe</i>"), 0, 12, 3.25, True, False]
WIDGETS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.CheckboxInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.FileInput,
    forms.ColorInput,
    forms.SearchInput,
    forms.TelInput,
]


def test_every_template_takes_the_fast_path():
    """Django's own sources are the ones copied: if a Django release changes one, this fails and
    the renderer renders that template as written."""
    assert (
        frozenset(SOURCES) - {"django/forms/widgets/attrs.html", "django/forms/widgets/select_option.html"} == FAST.fast
    )


@pytest.mark.parametrize("widget_class", WIDGETS)
def test_inputs_match_the_templates(widget_class):
    for attrs in ATTRS:
        for value in VALUES:
            widget = widget_class(attrs=attrs)
            if widget_class is forms.PasswordInput:
                widget.render_value = True
            assert render_input(widget.get_context("form-0-field", value, None)["widget"]) is not None
            ours = widget.render("form-0-field", value, renderer=FAST)
            django = widget.render("form-0-field", value, renderer=SLOW)
            assert ours == django, (widget_class.__name__, attrs, value)
            extra = {"id": "id_x", "checked": True}
            assert widget.render("f", value, attrs=extra, renderer=FAST) == widget.render(
                "f", value, attrs=extra, renderer=SLOW
            )


def test_dates_and_localized_numbers_match():
    day = datetime.date(2026, 12, 1)
    moment = datetime.datetime(2026, 12, 1, 8, 30, 15)
    for widget, value in [
        (forms.DateInput(), day),
        (forms.DateTimeInput(), moment),
        (forms.TimeInput(), moment.time()),
        (forms.NumberInput(), 12345.5),
    ]:
        widget.is_localized = True
        assert widget.render("d", value, renderer=FAST) == widget.render("d", value, renderer=SLOW)


def test_a_whole_form_matches():
    class Form(forms.Form):
        name = forms.CharField(max_length=32, help_text="名称 <b>")
        count = forms.IntegerField(min_value=0)
        active = forms.BooleanField(required=False)
        when = forms.DateField()
        kind = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")])
        secret = forms.CharField(widget=forms.HiddenInput)

    for data in (None, {"name": "x" * 40, "count": "-1", "when": "nope", "kind": "c"}, {"name": "驿站"}):
        fast, slow = Form(data, renderer=FAST), Form(data, renderer=SLOW)
        assert str(fast) == str(slow)
        assert str(fast.errors) == str(slow.errors)
        for name in Form.base_fields:
            assert str(fast[name].errors) == str(slow[name].errors)


def test_error_lists_match():
    for errors in ([], ["必填 <项>", mark_safe("<b>safe</b>")]):
        for field_id in (None, "id_name"):
            fast = ErrorList(errors, renderer=FAST, field_id=field_id)
            slow = ErrorList(errors, renderer=SLOW, field_id=field_id)
            assert str(fast) == str(slow)
            assert fast.as_ul() == slow.as_ul()
    for errors in ({}, {"name": ErrorList(["必填"])}):
        assert str(ErrorDict(errors, renderer=FAST)) == str(ErrorDict(errors, renderer=SLOW))


def test_an_overridden_template_is_rendered_as_written(monkeypatch):
    """A template whose source is not Django's (an app's override) is never copied."""
    renderer = FastTemplates()
    original = renderer.get_template

    def get_template(name):
        template = original(name)
        if name == "django/forms/widgets/attrs.html":
            template.template.source += " "
        return template

    monkeypatch.setattr(renderer, "get_template", get_template)
    assert not any(name.startswith("django/forms/widgets/") for name in renderer.fast)
    assert "django/forms/errors/list/default.html" in renderer.fast


CHOICES = [
    ("", "---------"),
    ("a", "甲 <b>"),
    (1, gettext_lazy("Yes")),
    ("组", [("x", 'x "1"'), ("y", mark_safe("<i>y</i>"))]),
    (gettext_lazy("Search"), [(2, "二")]),
]


@pytest.mark.parametrize(
    "widget_class", [forms.Select, forms.SelectMultiple, forms.NullBooleanSelect, forms.CheckboxSelectMultiple]
)
def test_selects_match_the_templates(widget_class):
    for attrs in ATTRS:
        for value in (None, "", "a", 1, ["x", 2], True, "unknown"):
            if widget_class is forms.NullBooleanSelect and isinstance(value, list):
                continue  # Django's own format_value takes no list here
            widget = widget_class(attrs=attrs)
            if widget_class is not forms.NullBooleanSelect:
                widget.choices = CHOICES
            if widget_class in (forms.Select, forms.SelectMultiple):
                assert render_select(widget.get_context("s", value, {"id": "id_s"})["widget"]) is not None
            for extra in (None, {"id": "id_s", "required": True}):
                assert widget.render("s", value, attrs=extra, renderer=FAST) == widget.render(
                    "s", value, attrs=extra, renderer=SLOW
                ), (widget_class.__name__, attrs, value)


def test_numeric_labels_are_left_to_the_template():
    """A number as a label is localized by the template: not copied, rendered as written."""
    widget = forms.Select(choices=[(1, 12345.5), (2, "二")])
    assert render_select(widget.get_context("n", 1, None)["widget"]) is None
    assert widget.render("n", 1, renderer=FAST) == widget.render("n", 1, renderer=SLOW)


def test_model_choices_match(world):
    from organizations.models import Territory

    field = forms.ModelChoiceField(Territory.objects.order_by("path")[:20])
    widget = field.widget
    widget.choices = field.choices
    first = Territory.objects.order_by("path").first()
    assert widget.render("t", first.pk, renderer=FAST) == widget.render("t", first.pk, renderer=SLOW)
    assert f'value="{first.pk}" selected' in widget.render("t", first.pk, renderer=FAST)
