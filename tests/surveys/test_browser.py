import pytest
from playwright.sync_api import expect

from organizations.models import Unit
from surveys.models import VerificationTask
from tests.conftest import login_in_browser
from tests.surveys.helpers import code, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_review_apply(page, live_server, world, tmp_path):
    path = write_xlsx(
        tmp_path / "摸排.xlsx",
        [
            ["2025年企业摸排表"],
            ["企业名称", "信用代码", "所在区", "街道", "从业人数", "行业类别"],
            ["甲科技有限公司", code(1), "秦淮区", "夫子庙街道", "12人", "网红经济"],
            ["乙科技有限公司", code(1), "秦淮区", "夫子庙街道", "3人", "快递"],
        ],
        merges=("A1:F1",),
    )
    login_in_browser(page, live_server, "qinhuai")
    page.goto(f"{live_server.url}/surveys/")
    assert page.locator("#templates a").count() == 4  # a template per kind
    page.select_option("#id_kind", "units")
    page.fill("#id_source", "市场监管局")
    page.set_input_files("#id_file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#counts")
    assert page.locator("#count-new").inner_text() == "1"
    assert page.locator("#count-duplicate").inner_text() == "1"
    assert page.locator("#batch-progress").get_attribute("value") == "100"
    page.click("text=错误与重复")
    expect(page.locator("#row-table")).to_contain_text("与第3行的统一社会信用代码重复")
    with page.expect_download() as download:
        page.click("#download-errors")
    assert download.value.suggested_filename.endswith(".xlsx")

    # The department's own word: mapped once, for this file and every later one from 市场监管局.
    assert "网红经济" in page.locator("#mappings").inner_text()
    page.select_option("#mappings select", "live_streaming")
    page.click("#mappings button")
    page.wait_for_selector(".messages")
    assert page.locator("#mappings").count() == 0

    # The street checks on site and confirms.
    page.context.clear_cookies()
    login_in_browser(page, live_server, "fuzimiao")
    page.goto(f"{live_server.url}/surveys/tasks/")
    assert "甲科技有限公司" in page.locator("#tasks").inner_text()
    # 铁脚板 check on site from a phone: the list fits, the 核实 link is on screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#tasks a:has-text('核实')").bounding_box()["x"] < 390
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#tasks a:has-text('核实')")
    page.click("#confirm")
    page.wait_for_selector("#no-tasks")
    assert VerificationTask.objects.get().status == "confirmed"

    # The district writes the verified row.
    page.context.clear_cookies()
    login_in_browser(page, live_server, "qinhuai")
    page.goto(f"{live_server.url}/surveys/")
    page.click("#batches a")
    page.click("#apply-verified")
    page.wait_for_selector(".messages")
    # The page hands the write to the worker (inline here, so it is done by the redirect).
    assert "已开始写入" in page.locator(".messages").inner_text()
    assert page.locator("#status-text").inner_text() == "已应用"
    assert page.locator("#count-applied").inner_text() == "1 / 0"
    assert (Unit.objects.get().credit_code, Unit.objects.get().industry) == (code(1), "live_streaming")
    assert page.external_requests == []


def test_apply_clean_asks_before_writing_unverified_rows(page, live_server, world, tmp_path):
    """“写入全部无问题的行” writes rows no street has checked: the page asks first, and saying no
    writes nothing (the question used to be an inline handler the CSP blocked, so it never came)."""
    path = write_xlsx(
        tmp_path / "摸排.xlsx",
        [
            ["企业名称", "信用代码", "所在区", "街道", "从业人数"],
            ["甲科技有限公司", code(1), "秦淮区", "夫子庙街道", "12"],
        ],
    )
    login_in_browser(page, live_server, "qinhuai")
    page.goto(f"{live_server.url}/surveys/")
    page.select_option("#id_kind", "units")
    page.set_input_files("#id_file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#counts")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#apply-clean")
    page.wait_for_timeout(500)
    assert asked and "尚未核实" in asked[0]
    assert not Unit.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#apply-clean")
    page.wait_for_selector(".messages")
    assert Unit.objects.get().name == "甲科技有限公司"
