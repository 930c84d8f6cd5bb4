"""``skip_reason`` folds only the cells that could be a total or a note; it decides as folding
every cell does."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from core.text import clean_text
from surveys.readers import _NOTE_PREFIXES, _TOTAL_WORDS, skip_reason


def reference(cells: list) -> str | None:
    texts = [t for t in (clean_text(str(c)) for c in cells if c not in ("", None)) if t][:3]
    if not texts:
        return "blank"
    if any("".join(t.split()) in _TOTAL_WORDS for t in texts):
        return "total"
    if len(texts) == 1 and texts[0].startswith(_NOTE_PREFIXES):
        return "note"
    return None


words = st.sampled_from(
    [
        *("合计", "合 计", "总计", "小计：", "注：", "说明", "联系人：张三", "联系人:", "填表人"),
        *("  ", "\u3000", "\t", "甲公司"),
    ]
)
cell = st.one_of(
    st.none(),
    st.just(""),
    words,
    st.text(max_size=6),
    st.text(alphabet=" \t\u3000合计注说明联系人：:Ａ1", max_size=6),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1)),
)


@given(st.lists(cell, max_size=8))
def test_decides_as_folding_every_cell_does(cells):
    assert skip_reason(cells) == reference(cells)


def test_the_rows_it_skips():
    assert skip_reason([None, "", "  "]) == "blank"
    assert skip_reason(["合\u3000计", None, 1235]) == "total"
    assert skip_reason(["联系人：张三"]) == "note"
    assert skip_reason([1.0, "甲公司", "91320104MA1W5TQ83K"]) is None
