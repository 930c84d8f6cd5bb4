"""Learned mappings (取值对应): the words a source department writes in a choice column, mapped once
by an officer and applied to every later batch from that source. Reads only; the write is
``surveys.services.value_mapping_save``."""

from __future__ import annotations

from core.text import clean_text
from surveys.specs import FieldSpec


def mapping_key(text) -> str:
    return clean_text(text).lower()


def source_key(batch) -> str:
    """Mappings belong to the department that sent the file: its name as the batch records it."""
    if batch.source:
        return clean_text(batch.source)
    return batch.source_body.name if batch.source_body_id else ""


def mappings_for(batch) -> dict[str, dict[str, str]]:
    """field → {mapping_key(word): stored value} for the batch's kind and source."""
    from surveys.models import ValueMapping

    found: dict[str, dict[str, str]] = {}
    rows = ValueMapping.objects.filter(kind=batch.kind, source=source_key(batch))
    for field, value, target in rows.values_list("field", "value", "target"):
        found.setdefault(field, {})[mapping_key(value)] = target
    return found


def unknown_value_issue(spec_field: FieldSpec, raw_text: str) -> dict:
    text = clean_text(raw_text)
    choice = spec_field.choice
    suggestion = choice.suggest(text) or ""
    label = choice.choices().get(suggestion, "") if suggestion else ""
    hint = f"，建议对应为“{label}”" if label else ""
    return {
        "field": spec_field.name,
        "severity": "warning",
        "message": f"“{text}”不是平台的{spec_field.label}取值，本列暂不写入{hint}；请在批次页面设置对应",
        "unknown": text,
        "suggest": suggestion,
    }
