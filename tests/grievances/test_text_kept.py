"""Prose is kept as typed (issue 13): Chinese punctuation, full-width characters and line breaks
survive intake, replies and resolutions; only codes are folded; search still finds the text."""

import pytest

from core.text import clean_code, clean_line, clean_prose
from grievances.services import grievance_reply, grievance_resolve

pytestmark = pytest.mark.django_db

TYPED = "驿站的微波炉坏了，（重复）反映过三次！\r\n第二行：ＡＢＣ栋１号门。"


@pytest.mark.smoke
def test_prose_helpers_keep_what_was_typed():
    assert clean_prose(TYPED) == "驿站的微波炉坏了，（重复）反映过三次！\n第二行：ＡＢＣ栋１号门。"
    assert clean_prose("\u200b  前后空格  \x07") == "前后空格"
    assert clean_line(" 南京\n某某公司（秦淮） ") == "南京 某某公司（秦淮）"
    assert clean_code(" ｇｄ-２０２５ ") == "GD-2025"


def test_grievance_text_reply_and_resolution_keep_punctuation_and_line_breaks(submit, fuzimiao_cadre):
    grievance = submit(text=TYPED)
    grievance.refresh_from_db()
    assert grievance.text == clean_prose(TYPED)
    grievance_reply(grievance=grievance, actor=fuzimiao_cadre, text="已收到，\n正在联系物业（明日答复）。")
    assert grievance.events.filter(note="已收到，\n正在联系物业（明日答复）。").exists()
    grievance_resolve(grievance=grievance, actor=fuzimiao_cadre, resolution="已更换微波炉；\n欢迎监督！")
    grievance.refresh_from_db()
    assert grievance.resolution == "已更换微波炉；\n欢迎监督！"
    assert type(grievance).objects.filter(text__contains="（重复）反映过三次！").get() == grievance


def test_a_2000_character_text_with_line_breaks_is_taken_as_the_browser_counted_it(client, world, categories):
    """A textarea's maxlength counts a line break as one character, but the browser posts it as
    CRLF: a worker who typed 2000 characters with line breaks was told 不能超过 2000 字."""
    from django.urls import reverse

    from grievances.models import Grievance

    typed = "第一行  两个空格😀\n\n   缩进的行\n" + "字" * 1970 + "\n末行"
    typed = typed + "字" * (2000 - len(typed))
    assert len(typed) == 2000
    posted = typed.replace("\n", "\r\n")
    url = reverse("grievances:new")
    data = {"territory": world.fuzimiao.pk, "contact_phone": "１３９ ５１２３ ４５６７"}
    client.post(url, {**data, "text": posted})
    grievance = Grievance.objects.get()
    assert grievance.text == typed
    assert grievance.contact_phone == "13951234567"
    response = client.post(url, {**data, "text": posted + "字"})
    assert "诉求内容不能超过 2000 字" in response.content.decode()
    assert Grievance.objects.count() == 1


def test_staff_and_public_pages_show_the_text_with_its_spaces(client, submit, fuzimiao_cadre):
    """Runs of spaces and indentation are part of what was typed: the text is shown pre-wrapped."""
    from django.urls import reverse

    grievance = submit(text="第一行  两个空格\n   缩进的行")
    client.force_login(fuzimiao_cadre)
    page = client.get(reverse("grievances:detail", args=[grievance.ticket])).content.decode()
    assert '<p class="typed">第一行  两个空格<br>   缩进的行</p>' in page
