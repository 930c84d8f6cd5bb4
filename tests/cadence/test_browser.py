import pytest
from playwright.sync_api import expect

from cadence.models import WeeklyReport
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_cadre_files_weekly_report(page, live_server, data, fuzimiao_cadre):
    login_in_browser(page, live_server, "fuzimiao")
    page.click("text=数据看板")
    page.wait_for_selector("#tile-organizations")
    page.goto(f"{live_server.url}/cadence/weekly/")
    page.click("#open-this-week")
    page.wait_for_selector("#report-form")
    assert "自动带出" in page.locator("#figures").inner_text()
    assert "数据取于" in page.locator("#figures-taken").inner_text()
    assert "本月累计" in page.locator("#figures").inner_text()
    page.fill("#id_work_done", "走访快递站点 4 个，核实应建未建单位 2 家。")
    # Uploading an attachment keeps what was typed (saved as a draft with it).
    page.set_input_files(
        "#attachment-file", files=[{"name": "会议记录.txt", "mimeType": "text/plain", "buffer": b"ok"}]
    )
    page.click("#upload-attachment")
    page.wait_for_selector("text=已上传")
    assert "会议记录.txt" in page.locator("#attach-row").inner_text()
    assert page.input_value("#id_work_done") == "走访快递站点 4 个，核实应建未建单位 2 家。"
    page.click("#submit-report")
    # Submitting without next week's plan names the missing field at the top and beside it.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("请填写“下周计划”后再提交")
    assert summary.bounding_box()["y"] < page.locator("#figures").bounding_box()["y"]
    assert "请填写“下周计划”后再提交" in page.locator("#report-form").inner_text()
    page.fill("#id_next_week_plan", "组建钞库街联合党支部。")
    page.click("#submit-report")
    page.wait_for_selector("text=已提交，等待区委两新工委审阅")
    assert page.locator("#report-status").inner_text() == "已提交"
    report = WeeklyReport.objects.get(street__name="夫子庙街道")
    assert report.status == "submitted" and report.submitted_by == fuzimiao_cadre
    assert "组建钞库街联合党支部" in report.next_week_plan
    assert page.external_requests == []
