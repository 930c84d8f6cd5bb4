"""API tokens that expire: DRF's tokens live forever unless someone deletes them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def token_lifetime() -> timedelta:
    return timedelta(hours=getattr(settings, "API_TOKEN_TTL_HOURS", 24 * 7))


def token_expired(token) -> bool:
    return token.created < timezone.now() - token_lifetime()


class ExpiringTokenAuthentication(TokenAuthentication):
    """A token older than ``API_TOKEN_TTL_HOURS`` is refused (and removed, so the next
    ``POST /api/v1/auth/token/`` issues a fresh one). Revoking is deleting the token: the
    caller's ``DELETE /api/v1/auth/token/``, the admin's 令牌 page, or ``revoke_api_tokens``."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed("令牌已过期，请重新获取")
        return user, token
