"""Static URLs kept per process are the storage's own answers."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

from core.storage import MemoCompressedManifestStaticFilesStorage, MemoStaticFilesStorage

NAMES = ["admin/css/base.css", "admin/img/icon-yes.svg", "portal/a b.css", "中文/图标.svg"]


def test_development_urls_are_djangos():
    memo, plain = MemoStaticFilesStorage(), StaticFilesStorage()
    for _ in range(2):
        assert [memo.url(name) for name in NAMES] == [plain.url(name) for name in NAMES]
    assert len(memo._url_memo) == len(NAMES)


def test_manifest_urls_are_whitenoises(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "hash": "x", "paths": {name: name + ".abc123" for name in NAMES}})
    )
    memo, plain = MemoCompressedManifestStaticFilesStorage(), CompressedManifestStaticFilesStorage()
    for _ in range(2):
        assert [memo.url(name) for name in NAMES] == [plain.url(name) for name in NAMES]
    assert memo.url(NAMES[0]).endswith(".abc123")
    for _ in range(2):  # a file missing from the manifest is refused every time, never kept
        with pytest.raises(ValueError):
            memo.url("missing.css")
    settings.DEBUG = True  # the manifest storage answers unhashed names under DEBUG
    assert memo.url(NAMES[0]) == plain.url(NAMES[0]) == "/static/admin/css/base.css"
    assert memo.url(NAMES[1], force=True) == plain.url(NAMES[1], force=True)
