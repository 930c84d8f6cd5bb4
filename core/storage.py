"""Static-file storages whose URLs are worked out once per process.

A page asks the storage for the URL of every stylesheet, script and icon it names (an admin
changelist about thirty times: the base template's assets, the form media, a yes/no icon per
row); each answer joins the static URL and, in production, looks the file's hashed name up in the
manifest. The answer for a name never changes while the process lives (the manifest is read at
start-up), so it is kept. ``DEBUG`` is part of the key: the manifest storage answers unhashed names
under it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Static files a process names are a few hundred; the bound is a backstop.
URL_MEMO_SIZE = 4096


class UrlMemoMixin:
    def url(self, name, *args, **kwargs):
        if args or kwargs:  # force=True and the like: as the storage does
            return super().url(name, *args, **kwargs)
        memo = self.__dict__.setdefault("_url_memo", {})
        key = (name, settings.DEBUG)
        url = memo.get(key)
        if url is None:
            url = super().url(name)
            if len(memo) >= URL_MEMO_SIZE:
                memo.clear()
            memo[key] = url
        return url


class MemoStaticFilesStorage(UrlMemoMixin, StaticFilesStorage):
    """Development and tests: Django's static storage."""


class MemoCompressedManifestStaticFilesStorage(UrlMemoMixin, CompressedManifestStaticFilesStorage):
    """Production: whitenoise's hashed, compressed files."""
