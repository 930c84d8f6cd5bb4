"""The API's exception handler: DRF's, with Django's English 404 (“No Unit matches the given
query.”, from ``get_object_or_404``) said in Chinese, the same for a missing record and one
outside the caller's scope. A 404 raised with its own (Chinese) message keeps it."""

from __future__ import annotations

import re

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND = "未找到该记录（不存在或不在您的管辖范围内）"
_DJANGO_NOT_FOUND = re.compile(r"^No \w+ matches the given query\.$")


def exception_handler(exc, context):
    if isinstance(exc, Http404) and (not exc.args or _DJANGO_NOT_FOUND.match(str(exc.args[0]))):
        exc = exceptions.NotFound(NOT_FOUND)
    return drf_exception_handler(exc, context)
