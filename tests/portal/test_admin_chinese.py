"""The admin speaks Chinese: no English word reaches a user on the index or on any changelist
(app and model names, filters, column headers), and large lists filter by street."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Words that are names, not English prose: codes and formats a clerk knows by these letters.
ALLOWED = {"excel", "api", "gps", "wgs", "gcj", "exif", "csv", "json", "sms", "url", "qr", "id", "svg", "png"}


VOID = {"img", "input", "br", "hr", "meta", "link", "wbr", "source", "col", "area", "base", "embed"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.words: set[str] = set()
        self._skip = 0

    # Data in the result rows (usernames, recorded field names) is the users' own text; labels,
    # headers, filters and every attribute a screen reader reads are checked.
    SKIPPED = ("script", "style", "select", "option", "textarea", "td")

    # The row checkbox reads "选择此对象执行操作 - <the record's name>": the name is data.
    ROW_LABEL = "选择此对象执行操作 - "

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self._collect(value.split(self.ROW_LABEL)[0])
        if tag in VOID:
            return
        row_header = tag == "th" and (dict(attrs).get("class") or "").startswith("field-")
        if self._skip or tag in self.SKIPPED or row_header:
            self._skip += 1

    def handle_endtag(self, tag):
        if self._skip and tag not in VOID:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._collect(data)

    def _collect(self, text):
        for word in re.findall(r"[A-Za-z]{3,}", text):
            if word.lower() not in ALLOWED:
                self.words.add(word)


def english_words(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return parser.words


def test_admin_index_and_changelists_have_no_english(client, municipal):
    client.force_login(municipal)
    found = {}
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    if words := english_words(index.content.decode()):
        found["/admin/"] = words
    for model in admin.site._registry:
        if model._meta.app_label == "django_celery_beat":
            continue  # its "Task Name" filter is a plain verbose_name, untranslatable without a migration
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        if response.status_code != 200:
            continue
        if words := english_words(response.content.decode()):
            found[url] = words
    assert not found, "\n".join(f"{url}: {sorted(words)}" for url, words in found.items())


def test_large_lists_filter_by_street_within_the_scope(client, municipal, fuzimiao_cadre, world):
    from organizations.models import Unit

    Unit.objects.create(name="钞库街快递网点", territory=world.chaokujie_grid, credit_code="91320104MA1TEST01X")
    Unit.objects.create(name="华侨路外卖站", territory=world.huaqiaolu, credit_code="91320102MA1TEST02X")
    url = reverse("admin:organizations_unit_changelist")
    client.force_login(municipal)
    # The city sees few streets here, so they are offered straight away; a street keeps its grids.
    page = client.get(url, {"street": world.fuzimiao.code}).content.decode()
    assert "钞库街快递网点" in page and "华侨路外卖站" not in page
    page = client.get(url, {"district": world.xuanwu.code}).content.decode()
    assert "新街口街道" in page and "夫子庙街道" not in page.split('id="changelist-filter"')[1].split("所在社区")[0]
    client.force_login(fuzimiao_cadre)
    page = client.get(url).content.decode()
    filters = page.split('id="changelist-filter"')[1]
    assert world.chaokujie.name in filters and world.huaqiaolu.name not in filters and "新街口街道" not in filters


def test_admin_widgets_script_catalogue_is_chinese(client, municipal):
    """The admin's own widgets (the two-box picker of a many-to-many, the date and time shortcuts)
    write their labels from the script catalogue; every string they ask for has a Chinese entry."""
    import json
    from pathlib import Path

    import django

    scripts = Path(django.__file__).parent / "contrib/admin/static/admin/js"
    asked = set()
    for path in scripts.rglob("*.js"):
        if "vendor" in path.parts:
            continue
        for match in re.finditer(r"""\b(?:gettext|ngettext)\(\s*(['"])((?:\\.|(?!\1).)*)\1""", path.read_text()):
            asked.add(match.group(2).replace("\\'", "'").replace('\\"', '"'))
    client.force_login(municipal)
    body = client.get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", body, re.S).group(1))
    missing = sorted(text for text in asked if text not in catalog)
    assert not missing, missing
    assert catalog["Choose all %s"] == "全选%s"


def test_audit_trail_reads_in_chinese(client, municipal, world):
    """The audit list's 变更内容 said “3 changes: name, phone, territory” (auditlog writes that
    line in English, with the fields' code names) and the entry's page “Created …” over a
    “Field / From / To” table."""
    from auditlog.models import LogEntry

    from members.models import Person

    person = Person.objects.create(name="张三", phone="13812345678", territory=world.fuzimiao)
    entry = LogEntry.objects.get_for_object(person).get()
    client.force_login(municipal)
    listing = client.get(reverse("admin:auditlog_logentry_changelist")).content.decode()
    assert "changes:" not in listing and "change:" not in listing
    assert re.search(r"\d+项变更：[^<]*姓名[^<]*手机号", listing), listing
    detail = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).content.decode()
    assert not {"Created", "Field", "From"} & english_words(detail.replace("<td>", "<p>"))
    assert "新增 张三" in detail and "原值" in detail and "新值" in detail
