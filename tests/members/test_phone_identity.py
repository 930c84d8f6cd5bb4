import re

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core import sms
from members.phone_identity import (
    MAX_ATTEMPTS,
    PhoneIdentityError,
    current_phone,
    forget_phone,
    otp_request,
    otp_verify,
    remember_phone,
)


@pytest.fixture(autouse=True)
def memory_sms(settings):
    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "otp"}}
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _code() -> str:
    return re.search(r"\d{6}", sms.outbox[-1].text).group(0)


def test_request_sends_a_code_to_the_normalised_phone_and_verify_accepts_it():
    otp_request(phone="１３８-0013-8000")
    assert sms.outbox[-1].phone == "13800138000"
    assert otp_verify(phone="13800138000", code=_code()) == "13800138000"
    with pytest.raises(PhoneIdentityError, match="过期"):
        otp_verify(phone="13800138000", code=_code())  # one use only


def test_resend_within_a_minute_is_refused():
    otp_request(phone="13800138000")
    with pytest.raises(PhoneIdentityError, match="频繁"):
        otp_request(phone="13800138000")
    assert len(sms.outbox) == 1


def test_wrong_codes_are_limited():
    otp_request(phone="13800138001")
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(PhoneIdentityError, match="不正确"):
            otp_verify(phone="13800138001", code=wrong)
    with pytest.raises(PhoneIdentityError, match="次数过多"):
        otp_verify(phone="13800138001", code=right)


def test_session_remembers_and_forgets_the_phone(db):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.session = SessionStore()
    assert current_phone(request) is None
    remember_phone(request, "13800138000")
    assert current_phone(request) == "13800138000"
    forget_phone(request)
    assert current_phone(request) is None


def test_sms_log_masks_the_phone(caplog, settings):
    settings.SMS_BACKEND = "core.sms.ConsoleBackend"
    with caplog.at_level("INFO", logger="portal.sms"):
        sms.send_sms(phone="13800138000", text="hi")
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text


def test_code_typed_full_width_or_with_spaces_is_accepted_and_nonsense_is_refused():
    """A Chinese IME types ６２０１３５: it is the same code (it was a 500: compare_digest
    refuses non-ASCII strings)."""
    otp_request(phone="13800138000")
    wide = _code().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert otp_verify(phone="13800138000", code=f" {wide[:3]} {wide[3:]} ") == "13800138000"
    otp_request(phone="13800138001")
    with pytest.raises(PhoneIdentityError, match="不正确"):
        otp_verify(phone="13800138001", code="验证码")
