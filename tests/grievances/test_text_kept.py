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
