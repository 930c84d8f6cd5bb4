from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.masking import mask_id_number, mask_phone
from members.models import Person
from members.validators import (
    id_check_char,
    id_number_consistency_errors,
    id_number_error,
    id_number_facts,
    name_error,
    name_initials,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    phone_error,
)
from tests.members.factories import make_id

# A textbook example with the checksum X (GB 11643 appendix style).
VALID_X = "11010519491231002X"


@pytest.mark.smoke
def test_checksum_accepts_valid_numbers_including_x():
    assert id_check_char(VALID_X[:17]) == "X"
    assert id_number_error(VALID_X) is None
    assert id_number_error(VALID_X.lower()) is None  # x is upper-cased
    assert id_number_error(make_id(date(1990, 5, 17))) is None


def test_checksum_names_the_expected_character():
    wrong = VALID_X[:17] + "1"
    error = id_number_error(wrong)
    assert "校验位" in error and "“X”" in error and "“1”" in error


@pytest.mark.parametrize(
    "value, fragment",
    [
        (3.20104199001011e17, "科学计数法"),
        ("3.20104199001011E+17", "科学计数法"),
        (32010419900101123, "只有17位"),  # an int from a spreadsheet that dropped the trailing X
        ("3201041990010112", "只有16位"),
        ("320104900101123", "15位旧号码"),
        ("32010419900101123A", "末位为数字或X"),
        ("990104199001011234", "省级行政区划代码"),
        ("320104199002301234", "不是有效日期"),
        ("", "为空"),
    ],
)
def test_lost_digits_and_bad_shapes_get_clear_messages(value, fragment):
    assert fragment in id_number_error(value)


def test_normalize_id_number_handles_fullwidth_spaces_and_excel_artifacts():
    assert normalize_id_number("１１０１０５ １９４９１２３１００２ｘ") == VALID_X
    assert normalize_id_number("'" + VALID_X) == VALID_X
    assert normalize_id_number(None) == ""


def test_birth_date_and_gender_come_from_the_number_and_are_cross_checked():
    birth, gender = id_number_facts(VALID_X)
    assert birth == date(1949, 12, 31) and gender == "F"  # 17th digit 2 is even
    assert id_number_consistency_errors(VALID_X, birth_date=birth, gender="F") == {}
    errors = id_number_consistency_errors(VALID_X, birth_date=date(1950, 1, 1), gender="M")
    assert "1949-12-31" in errors["birth_date"] and "女" in errors["gender"]


def test_person_clean_fills_birth_and_gender_and_rejects_mismatch(world):
    person = Person(name="王五", id_number=VALID_X, territory=world.fuzimiao)
    person.full_clean()
    assert person.birth_date == date(1949, 12, 31) and person.gender == "F"
    bad = Person(name="王五", id_number=VALID_X, territory=world.fuzimiao, gender="M")
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "gender" in exc.value.message_dict


def test_names_allow_the_middle_dot_in_its_many_spellings():
    assert normalize_name("买买提 • 艾力") == "买买提·艾力"
    assert normalize_name("阿依古丽．吐尔逊") == "阿依古丽·吐尔逊"
    assert name_error("买买提·艾力") is None
    assert name_error("张三1") is not None
    assert name_error("买买提··艾力") is not None
    assert name_initials("张三") == "zs"
    assert name_initials("买买提·艾力") == "mmtal"


def test_phone_normalisation_and_errors():
    assert normalize_phone("＋86 138-0013-8000") == "13800138000"
    assert normalize_phone("0086 13800138000") == "13800138000"
    assert phone_error("13800138000") is None
    assert phone_error("12800138000") is not None


def test_masks():
    # First 6 and last 2 (core.masking): the birth date and two sequence digits stay hidden.
    assert mask_id_number(VALID_X) == VALID_X[:6] + "*" * 10 + VALID_X[-2:]
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number("") == "" and mask_phone(None) == ""
