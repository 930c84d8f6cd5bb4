import pytest
from django.core.exceptions import ValidationError

from core.excel import neutralize_formula
from core.text import clean_code, clean_text
from organizations.validators import (
    credit_code_check_char,
    credit_code_error,
    normalize_credit_code,
    validate_credit_code,
)

pytestmark = pytest.mark.smoke

VALID = [
    "91350100M000100Y43",  # the example of GB 32100-2015
    "91320104MA1MXXXX8" + credit_code_check_char("91320104MA1MXXXX8"),
    "A1320104MJ0000001" + credit_code_check_char("A1320104MJ0000001"),  # letter-prefixed
    "N2320100MJ1234567" + credit_code_check_char("N2320100MJ1234567"),
    "Y1320100MJ7654321" + credit_code_check_char("Y1320100MJ7654321"),
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    assert credit_code_error(code) is None
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "18位"),
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100I43", "非法字符"),
        ("9135AB00M000100Y43", "行政区划"),
    ],
)
def test_invalid_codes(code, reason):
    assert reason in credit_code_error(code)
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_normalisation_fullwidth_lowercase_spaces():
    assert normalize_credit_code(" ９１３５０１００ｍ０００１００ｙ４３ ") == "91350100M000100Y43"
    validate_credit_code("９１３５０１００ｍ０００１００ｙ４３")


def test_clean_text_and_code():
    assert clean_text("  南京　 市 ") == "南京 市"
    assert clean_code("ａｂ－１２") == "AB-12"


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_injection_neutralised(value):
    assert neutralize_formula(value) == "'" + value


def test_numbers_and_plain_text_untouched():
    assert neutralize_formula(-2) == -2
    assert neutralize_formula("夫子庙") == "夫子庙"
