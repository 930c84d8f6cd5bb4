"""The form renderer (``FORM_RENDERER``): Django's, with its simplest templates done in Python.

Every ``<input>`` Django renders goes through two templates (the widget's, e.g. ``number.html``,
which includes ``input.html``, which includes ``attrs.html``), and every empty error list through
two more that print nothing. A changelist with editable columns renders four or five of these per
row (the action checkbox, the editable fields, the hidden primary key, each field's empty error
list): about a third of a small admin changelist's time went there.

``FastTemplates`` renders exactly those templates, and selects with their options (the action
menu of every changelist, every foreign-key choice on a form), in Python — the same markup, byte
for byte, with the same escaping — and everything else (textareas, radio and checkbox lists,
non-empty error lists, forms) through the templates as before. It takes the fast path for a
template only if the template the engine would load is Django's own text (checked once, against
the sources below): an app or a Django release that changes one of them gets its template
rendered as written, never this copy.
``tests/core/test_form_renderer.py`` holds the output equal to the templates'.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

INPUT = "django/forms/widgets/input.html"
ATTRS = "django/forms/widgets/attrs.html"
SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
_INCLUDE_INPUT = '{% include "django/forms/widgets/input.html" %}\n'

# The exact sources this module renders in Python.
SOURCES = {
    INPUT: (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"'
        "{% if widget.value != None %} value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>\n'
    ),
    ATTRS: (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
    ),
    **{
        f"django/forms/widgets/{kind}.html": _INCLUDE_INPUT
        for kind in (
            "checkbox",
            "color",
            "date",
            "datetime",
            "email",
            "file",
            "hidden",
            "number",
            "password",
            "search",
            "tel",
            "text",
            "time",
            "url",
        )
    },
    SELECT: (
        '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
        '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
        "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
        "  </optgroup>{% endif %}{% endfor %}\n</select>\n"
    ),
    OPTION: (
        "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
    ),
    "django/forms/errors/list/default.html": '{% include "django/forms/errors/list/ul.html" %}',
    "django/forms/errors/list/ul.html": (
        '{% if errors %}<ul class="{{ error_class }}"{% if errors.field_id %} id="{{ errors.field_id }}_error"'
        "{% endif %}>{% for error in errors %}<li>{{ error }}</li>{% endfor %}</ul>{% endif %}"
    ),
    "django/forms/errors/dict/default.html": '{% include "django/forms/errors/dict/ul.html" %}',
    "django/forms/errors/dict/ul.html": (
        '{% if errors %}<ul class="{{ error_class }}">{% for field, error in errors %}<li>{{ field }}{{ error }}'
        "</li>{% endfor %}</ul>{% endif %}\n"
    ),
}
ERROR_LISTS = {name for name in SOURCES if name.startswith("django/forms/errors/")}
INPUTS = {name for name in SOURCES if name.startswith("django/forms/widgets/")} - {ATTRS, SELECT, OPTION}


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescape."""
    text = str(value) if isinstance(value, tuple) else "%s" % value  # noqa: UP031 — the filter's own %
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs) -> str | None:
    """``attrs.html`` for an attribute dict, or None when it holds what this does not copy."""
    if not isinstance(attrs, dict) or "items" in attrs:
        return None
    parts = []
    for key, attr in attrs.items():
        if not isinstance(key, str) or callable(attr):
            return None
        if attr is False:
            continue
        parts += [" ", conditional_escape(key)]
        if attr is not True:
            parts += ['="', _formatted(attr), '"']
    return "".join(parts)


def _text(value) -> str | None:
    """``{{ value }}`` for text (a string or a lazy translation); None for anything the template
    would localize (numbers, dates)."""
    if isinstance(value, str):
        return conditional_escape(value)
    if isinstance(value, Promise):
        return conditional_escape(str(value))
    return None


def render_input(widget: dict) -> str | None:
    """``input.html`` for a widget's context, or None when the context holds something the
    template would treat in a way this does not copy (a callable, a non-text name, an ``items``
    attribute, which the template would look up instead of the method)."""
    kind, name, value = widget["type"], widget["name"], widget.get("value")
    if not (isinstance(kind, str) and isinstance(name, str)) or callable(value):
        return None
    attrs = _attrs(widget["attrs"])
    if attrs is None:
        return None
    parts = ['<input type="', conditional_escape(kind), '" name="', conditional_escape(name), '"']
    if value is not None:
        parts += [' value="', _formatted(value), '"']
    parts += [attrs, ">"]
    return "".join(parts)


def render_select(widget: dict) -> str | None:
    """``select.html`` with its ``select_option.html`` options, or None (as ``render_input``)."""
    name, optgroups = widget["name"], widget["optgroups"]
    attrs = _attrs(widget["attrs"])
    if not isinstance(name, str) or attrs is None or not isinstance(optgroups, list | tuple):
        return None
    parts = ['<select name="', conditional_escape(name), '"', attrs, ">"]
    for group_name, group_choices, _index in optgroups:
        label = _text(group_name) if group_name else ""
        if label is None:
            return None
        if group_name:
            parts += ['\n  <optgroup label="', label, '">']
        for option in group_choices:
            if not isinstance(option, dict) or option.get("template_name") != OPTION:
                return None
            value, text, option_attrs = option["value"], _text(option["label"]), _attrs(option["attrs"])
            if text is None or option_attrs is None or callable(value):
                return None
            parts += ['\n  <option value="', _formatted(value), '"', option_attrs, ">", text, "</option>\n"]
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastTemplates(DjangoTemplates):
    """Django's default form renderer, with plain inputs and empty error lists rendered in Python."""

    @cached_property
    def fast(self) -> frozenset[str]:
        """The templates this renderer may render itself: those whose loaded source (and that of
        every template they include) is Django's own."""

        def unchanged(name: str) -> bool:
            try:
                return self.get_template(name).template.source == SOURCES[name]
            except TemplateDoesNotExist:
                return False

        same = {name for name in SOURCES if unchanged(name)}
        inputs = {name for name in INPUTS if {name, INPUT, ATTRS} <= same}
        selects = {SELECT} if {SELECT, OPTION, ATTRS} <= same else set()
        lists = {name for name in ERROR_LISTS if name in same and name.replace("default", "ul") in same}
        return frozenset(inputs | selects | lists)

    def render(self, template_name, context, request=None):
        if template_name in self.fast and isinstance(context, dict):
            if template_name in ERROR_LISTS:
                if "errors" in context and not context["errors"]:
                    return ""
            elif template_name == SELECT:
                widget = context.get("widget")
                if isinstance(widget, dict) and {"name", "attrs", "optgroups"} <= widget.keys():
                    html = render_select(widget)
                    if html is not None:
                        return html
            else:
                widget = context.get("widget")
                if isinstance(widget, dict) and {"type", "name", "attrs"} <= widget.keys():
                    html = render_input(widget)
                    if html is not None:
                        return html
        return super().render(template_name, context, request=request)
