"""Sending short messages to workers' phones through a pluggable backend.

The intranet talks to the carrier's SMS gateway through an adapter set in ``SMS_BACKEND``
(a dotted path to a class with ``send(phone, text)``). Here: ``ConsoleBackend`` logs the message
(development, ``make run``) and ``MemoryBackend`` keeps it in ``outbox`` (tests). Phones are
masked in logs: a log file is not a place for personal data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from core.masking import mask_phone

logger = logging.getLogger("portal.sms")


@dataclass(frozen=True)
class SentMessage:
    phone: str
    text: str


outbox: list[SentMessage] = []


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class MemoryBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append(SentMessage(phone=phone, text=text))


def send_sms(*, phone: str, text: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(phone, text)
