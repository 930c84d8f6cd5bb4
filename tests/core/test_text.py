"""The shortcut of ``clean_prose`` for printable text gives what the two regular expressions give."""

import re

from hypothesis import given
from hypothesis import strategies as st

from core.text import clean_line, clean_prose

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")
_LINE_SPACE = re.compile(r"[ \t]*\n[ \t\n]*")


def reference_prose(value: str) -> str:
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def reference_line(value: str) -> str:
    return _LINE_SPACE.sub(" ", reference_prose(value))


# Text as departments type it: CJK, full width, Chinese punctuation, every kind of space, line
# breaks, control characters pasted from Word, zero-width spaces and byte-order marks.
typed = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list(" \t\r\n\u3000\u00a0\u200b\ufeff\x0b\x0c\x1f\x7f\x85（），。：；甲乙Ａ１")),
    )
)


@given(typed)
def test_prose_and_lines_are_cleaned_as_the_regular_expressions_clean_them(value):
    assert clean_prose(value) == reference_prose(value)
    assert clean_line(value) == reference_line(value)


def test_typed_text_is_kept():
    assert clean_line("  甲公司（更名）\u3000") == "甲公司（更名）"
    assert clean_line("第一行\r\n  第二行 ") == "第一行 第二行"
    assert clean_prose("诉求：\r\n路灯不亮\x0b。") == "诉求：\n路灯不亮。"
