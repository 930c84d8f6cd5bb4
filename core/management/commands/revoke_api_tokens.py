"""Revoke API tokens: one user's, every expired one, or all (after a suspected leak)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from core.authentication import token_lifetime


class Command(BaseCommand):
    help = "吊销 API 令牌：--user 某用户的，--expired 已过期的，--all 全部"

    def add_arguments(self, parser):
        parser.add_argument("--user", help="用户名")
        parser.add_argument("--expired", action="store_true", help="只吊销已过期的令牌")
        parser.add_argument("--all", action="store_true", help="吊销全部令牌")

    def handle(self, *args, user=None, expired=False, all=False, **options):
        if not (user or expired or all):
            raise CommandError("请指定 --user 用户名、--expired 或 --all")
        tokens = Token.objects.all()
        if user:
            tokens = tokens.filter(user__username=user)
        if expired:
            from django.utils import timezone

            tokens = tokens.filter(created__lt=timezone.now() - token_lifetime())
        count, _ = tokens.delete()
        self.stdout.write(f"已吊销 {count} 个令牌")
