"""Form fields shared by the apps."""

from __future__ import annotations

from django import forms


class ProseField(forms.CharField):
    """Multi-line prose typed in a textarea, its length counted as the user counted it.

    A browser posts every line break of a textarea as CRLF, while the textarea's ``maxlength``
    (which Django renders from ``max_length``) counts it as one character: without folding, a
    text the browser let through was refused as too long. CRLF and CR become LF before the
    length is checked, as ``core.text.clean_prose`` stores them; nothing else is changed.
    """

    widget = forms.Textarea

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value
