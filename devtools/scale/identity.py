"""Valid-looking national identifiers for generated people and units (never real ones)."""

from __future__ import annotations

from datetime import date

from organizations.validators import credit_code_check_char

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number(region: str, birth: date, serial: int) -> str:
    """GB 11643: region(6) + birth date(8) + serial(3, odd = male) + mod-11 check."""
    body = f"{region}{birth:%Y%m%d}{serial % 1000:03d}"
    total = sum(int(ch) * w for ch, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


def credit_code(region: str, serial: int) -> str:
    """GB 32100: '91' (enterprise) + region(6) + a 9-char organisation code + the check char."""
    first17 = f"91{region}{serial:09d}"[:17]
    return first17 + credit_code_check_char(first17)


def phone(serial: int) -> str:
    prefixes = ("138", "139", "150", "151", "158", "177", "186", "187", "199")
    return f"{prefixes[serial % len(prefixes)]}{serial % 100_000_000:08d}"
