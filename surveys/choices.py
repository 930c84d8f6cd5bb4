"""Choice columns of survey files: the words a department writes mapped to the portal's stored
values, with a suggestion when a word is unknown (the officer then maps it once per source)."""

from __future__ import annotations

from django.apps import apps

from core.text import clean_code, clean_text
from surveys import normalize as n


class ChoiceParser:
    """A choice column: labels or stored values of the model field's choices, plus synonyms.

    An unknown word is not fatal: ``suggest`` offers the closest choice and the pipeline turns
    the cell into a warning the officer maps once per source (``ValueMapping``)."""

    def __init__(self, model_label: str, attr: str, extra: dict[str, str] | None = None):
        self.model_label, self.attr, self.extra = model_label, attr, extra or {}
        self._parser = None
        self._choices: dict[str, str] | None = None

    def choices(self) -> dict[str, str]:
        # Built on first use: the model registry is not ready at import time.
        if self._choices is None:
            model_field = apps.get_model(self.model_label)._meta.get_field(self.attr)
            self._choices = {str(k): str(v) for k, v in model_field.flatchoices}
        return self._choices

    def synonyms(self) -> dict[str, str]:
        """Accepted words beyond the labels: word → stored value."""
        return dict(self.extra)

    def __call__(self, raw):
        if self._parser is None:
            self._parser = n.parse_choice(self.choices())
        value, err = self._parser(raw)
        if err:
            key = clean_text(n.cell_text(raw))
            if key in self.extra:
                return self.extra[key], None
        return value, err

    def suggest(self, text: str) -> str | None:
        import difflib

        words = {clean_text(label).lower(): value for value, label in self.choices().items()}
        words.update({clean_text(k).lower(): v for k, v in self.extra.items()})
        key = clean_text(text).lower()
        close = difflib.get_close_matches(key, list(words), n=1, cutoff=0.4)
        if not close:
            close = [w for w in words if len(w) >= 2 and (w in key or key in w)][:1]
        return words[close[0]] if close else None


class Classified(str):
    """An industry category that came from a GB/T 4754 code or name: the code rides along."""

    gbt = ""


class IndustryParser(ChoiceParser):
    """所属行业: category labels, aliases (快递, 物业, 直播电商 …) and GB/T 4754-2017 codes/names."""

    def __init__(self):
        super().__init__("organizations.Unit", "industry")

    def synonyms(self) -> dict[str, str]:
        from organizations.industry import CATEGORIES

        return {alias: c.value for c in CATEGORIES for alias in c.aliases}

    def __call__(self, raw):
        from organizations.industry import match_industry

        if n.is_blank(raw):
            return None, None
        text = clean_text(n.cell_text(raw))
        found = match_industry(text)
        if found.value is None:
            return None, f"无法识别的行业“{text}”"
        if found.gbt:
            value = Classified(found.value)
            value.gbt = found.gbt
            return value, None
        return found.value, None

    def suggest(self, text: str) -> str | None:
        from organizations.industry import match_industry

        return match_industry(text).suggestion


def parse_industry_code(raw):
    from organizations.industry import classification, match_industry

    if n.is_blank(raw):
        return None, None
    text = clean_text(n.cell_text(raw))
    if isinstance(raw, float) and raw.is_integer():
        text = f"{int(raw):02d}"  # 6 typed as a number: the 大类 06
    code = clean_code(text)
    if code in classification():
        return code, None
    if len(code) == 3 and code[1:] in classification() and classification()[code[1:]].section == code[0]:
        return code[1:], None  # "G60": section letter and division
    found = match_industry(text)
    if found.gbt:
        return found.gbt, None
    return None, f"“{text}”不是 GB/T 4754-2017 的门类或大类（如 G、60 或 邮政业）"
