"""Pages: upload, batch page, error report, the street inbox and its scope."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.masking import mask_id_number
from organizations.models import Unit
from surveys.models import ImportBatch, VerificationTask
from surveys.services import import_file
from tests.surveys.helpers import code, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def two_street_batch(tmp_path, user):
    rows = [
        ["单位名称", "统一社会信用代码", "所属区", "所属街道"],
        ["-甲公司", code(1), "秦淮区", "夫子庙街道"],  # row 2
        ["玄武公司", code(2), "玄武区", "新街口街道"],  # row 3
        ['=HYPERLINK("http://x","点我")', "123", "秦淮区", "夫子庙街道"],  # row 4: an error, and a formula
    ]
    outcome, _ = import_file(kind="units", path=write_csv(tmp_path / "two.csv", rows), user=user)
    return outcome.batch


def test_upload_runs_the_pipeline(client, qinhuai_organizer, tmp_path, django_capture_on_commit_callbacks):
    path = write_xlsx(
        tmp_path / "up.xlsx",
        [["单位名称", "统一社会信用代码", "所属区", "所属街道"], ["甲公司", code(7), "秦淮区", "中华门街道"]],
    )
    client.force_login(qinhuai_organizer)
    with open(path, "rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:batch-upload"), {"kind": "units", "source": "市场监管局", "file": fh})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("surveys:batch-detail", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == "review" and batch.territory.name == "秦淮区" and batch.counts["new"] == 1
    page = client.get(reverse("surveys:batch-detail", args=[batch.pk]))
    assert "甲公司" in page.content.decode()
    progress = client.get(reverse("surveys:batch-progress", args=[batch.pk])).json()
    assert progress == {
        "status": "review",
        "status_display": "待核实",
        "progress": 100,
        "running": False,
        "message": "",
    }


def test_upload_rejects_other_files(client, qinhuai_organizer, tmp_path):
    client.force_login(qinhuai_organizer)
    response = client.post(reverse("surveys:batch-upload"), {"kind": "units", "file": io.BytesIO(b"%PDF-1.4")})
    assert response.status_code == 400
    assert "只支持" in response.content.decode() or "文件" in response.content.decode()


def test_error_report_escapes_formulas(client, municipal, tmp_path):
    batch = two_street_batch(tmp_path, municipal)
    client.force_login(municipal)
    response = client.get(reverse("surveys:batch-errors", args=[batch.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("导入问题清单") and rows[1][0].startswith("范围：批次")
    assert rows[2][:4] == ("Excel行号", "问题类别", "问题列", "原因")
    assert rows[3][0] == 4 and rows[3][2] == "统一社会信用代码"
    assert "应为18位" in rows[3][3]
    assert rows[3][4] == '\'=HYPERLINK("http://x","点我")'  # the original row, neutralised


def test_street_sees_only_its_tasks(client, municipal, fuzimiao_cadre, xinjiekou_cadre, outsider, tmp_path):
    batch = two_street_batch(tmp_path, municipal)
    fuzimiao_task = VerificationTask.objects.get(batch=batch, row__row_number=2)
    xinjiekou_task = VerificationTask.objects.get(batch=batch, row__row_number=3)

    client.force_login(fuzimiao_cadre)
    inbox = client.get(reverse("surveys:task-list")).content.decode()
    assert f'data-task="{fuzimiao_task.pk}"' in inbox and f'data-task="{xinjiekou_task.pk}"' not in inbox
    assert client.get(reverse("surveys:task-detail", args=[xinjiekou_task.pk])).status_code == 404
    assert client.get(reverse("surveys:batch-detail", args=[batch.pk])).status_code == 403  # streets verify, not import

    client.force_login(xinjiekou_cadre)
    response = client.post(reverse("surveys:task-detail", args=[fuzimiao_task.pk]), {"action": "confirmed"})
    assert response.status_code == 404
    fuzimiao_task.refresh_from_db()
    assert fuzimiao_task.status == "pending"

    client.force_login(outsider)
    assert client.get(reverse("surveys:task-list")).status_code == 403
    assert client.get(reverse("surveys:task-detail", args=[fuzimiao_task.pk])).status_code == 403
    assert client.get(reverse("surveys:batch-detail", args=[batch.pk])).status_code == 403


def test_outsider_district_gets_404_on_a_batch(client, municipal, tmp_path, world):
    from tests.world import post

    batch = two_street_batch(tmp_path, municipal)
    other = type(municipal).objects.create(username="xuanwu-organizer")
    post(other, "district", territory=world.xuanwu)
    client.force_login(other)
    assert client.get(reverse("surveys:batch-detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("surveys:batch-errors", args=[batch.pk])).status_code == 404


def test_street_confirms_corrects_and_rejects(
    client, municipal, fuzimiao_cadre, tmp_path, world, django_capture_on_commit_callbacks
):
    rows = [
        ["单位名称", "统一社会信用代码", "所属区", "所属街道"],
        ["甲公司", code(11), "秦淮区", "夫子庙街道"],
        ["乙公司", code(12), "秦淮区", "夫子庙街道"],
        ["丙公司", code(13), "秦淮区", "夫子庙街道"],
    ]
    outcome, _ = import_file(kind="units", path=write_xlsx(tmp_path / "three.xlsx", rows), user=municipal)
    tasks = {t.row.row_number: t for t in VerificationTask.objects.filter(batch=outcome.batch).select_related("row")}
    client.force_login(fuzimiao_cadre)
    url = lambda n: reverse("surveys:task-detail", args=[tasks[n].pk])  # noqa: E731
    assert client.post(url(2), {"action": "confirmed"}).status_code == 302
    place = {"f_district": "秦淮区", "f_street": "夫子庙街道"}
    bad = client.post(url(3), {"action": "corrected", "f_credit_code": "123", "f_name": "乙公司", **place})
    assert bad.status_code == 400 and "应为18位" in bad.content.decode()
    good = client.post(
        url(3), {"action": "corrected", "f_name": "乙公司（实地核实）", "f_credit_code": code(12), **place}
    )
    assert good.status_code == 302
    assert client.post(url(4), {"action": "rejected", "note": ""}).status_code == 400
    assert client.post(url(4), {"action": "rejected", "note": "实地查无此单位"}).status_code == 302
    statuses = dict(VerificationTask.objects.filter(batch=outcome.batch).values_list("row__row_number", "status"))
    assert statuses == {2: "confirmed", 3: "corrected", 4: "rejected"}

    client.force_login(municipal)
    # The page claims the batch; the worker writes it after commit (inline in the tests).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:batch-apply", args=[outcome.batch.pk]), {"mode": "verified"})
    assert response.status_code == 302
    assert dict(Unit.objects.values_list("credit_code", "name")) == {code(11): "甲公司", code(12): "乙公司（实地核实）"}
    outcome.batch.refresh_from_db()
    assert outcome.batch.status == "applied"


def test_streets_cannot_apply(client, municipal, fuzimiao_cadre, tmp_path):
    batch = two_street_batch(tmp_path, municipal)
    client.force_login(fuzimiao_cadre)
    assert client.post(reverse("surveys:batch-apply", args=[batch.pk]), {"mode": "clean"}).status_code == 403
    assert Unit.objects.count() == 0


def test_inbox_query_count_is_flat(client, municipal, fuzimiao_cadre, tmp_path, django_assert_max_num_queries):
    rows = [["单位名称", "统一社会信用代码", "所属区", "所属街道"]]
    rows += [[f"公司{i}", code(100 + i), "秦淮区", "夫子庙街道"] for i in range(30)]
    import_file(kind="units", path=write_xlsx(tmp_path / "many.xlsx", rows), user=municipal)
    client.force_login(fuzimiao_cadre)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("surveys:task-list"))
    assert response.content.decode().count("data-task=") == 30


def test_outsider_gets_nothing_from_any_endpoint(client, municipal, outsider, tmp_path):
    batch = two_street_batch(tmp_path, municipal)
    client.force_login(outsider)
    for name in ("batch-detail", "batch-progress", "batch-errors"):
        assert client.get(reverse(f"surveys:{name}", args=[batch.pk])).status_code == 403
    assert client.post(reverse("surveys:batch-apply", args=[batch.pk]), {"mode": "clean"}).status_code == 403
    assert client.get(reverse("surveys:batch-list")).status_code == 403
    assert client.post(reverse("surveys:batch-upload"), {"kind": "units"}).status_code == 403
    assert Unit.objects.count() == 0


def test_member_unit_uploads_and_sees_only_its_batches(client, municipal, member_unit_officer, world, tmp_path):
    theirs, _ = import_file(
        kind="units",
        path=write_csv(
            tmp_path / "scjg.csv", [["单位名称", "统一社会信用代码", "所属区"], ["甲公司", code(71), "秦淮区"]]
        ),
        user=member_unit_officer,
    )
    other = two_street_batch(tmp_path, municipal)
    assert theirs.batch.source_body == world.scjg
    client.force_login(member_unit_officer)
    listing = client.get(reverse("surveys:batch-list")).content.decode()
    assert f"#{theirs.batch.pk}<" in listing and f"#{other.pk}<" not in listing
    assert client.get(reverse("surveys:batch-detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("surveys:batch-apply", args=[theirs.batch.pk]), {"mode": "clean"}).status_code == 403


def test_batch_page_query_count(client, municipal, tmp_path, django_assert_max_num_queries):
    rows = [["单位名称", "统一社会信用代码", "所属区", "所属街道"]]
    rows += [[f"公司{i}", code(300 + i), "秦淮区", "夫子庙街道"] for i in range(40)]
    outcome, _ = import_file(kind="units", path=write_xlsx(tmp_path / "many.xlsx", rows), user=municipal)
    client.force_login(municipal)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("surveys:batch-detail", args=[outcome.batch.pk]))
    assert response.content.decode().count("data-row=") == 40


def test_street_inbox_masks_id_numbers(client, municipal, fuzimiao_cadre, tmp_path):
    from tests.surveys.helpers import id_number

    number = id_number("19900307", "123")
    rows = [
        ["姓名", "身份证号", "手机号", "所属区", "所属街道"],
        ["张三", number, "13800001234", "秦淮区", "夫子庙街道"],
    ]
    outcome, _ = import_file(kind="members", path=write_xlsx(tmp_path / "p.xlsx", rows), user=municipal)
    task = VerificationTask.objects.get(batch=outcome.batch)
    client.force_login(fuzimiao_cadre)
    for url in (reverse("surveys:task-list"), reverse("surveys:task-detail", args=[task.pk])):
        page = client.get(url).content.decode()
        assert number not in page and "13800001234" not in page
        assert mask_id_number(number) in page  # the one masking policy: first 6, last 2
    # A correction that leaves the ID blank keeps it.
    response = client.post(
        reverse("surveys:task-detail", args=[task.pk]),
        {
            "action": "corrected",
            "f_name": "张三丰",
            "f_id_number": "",
            "f_phone": "",
            "f_district": "秦淮区",
            "f_street": "夫子庙街道",
        },
    )
    assert response.status_code == 302
    task.row.refresh_from_db()
    assert task.row.key == number and task.row.values["name"] == "张三丰"


def test_batch_page_names_an_earlier_batch_only_in_scope(client, municipal, qinhuai_organizer, tmp_path, world):
    """Issue 13's side door: the batch page looked up the earlier batch of the same file without
    the scope rule, so a district learned of (and linked to) another district's batch."""
    rows = [["单位名称", "统一社会信用代码", "所属区", "所属街道"], ["甲公司", code(1), "秦淮区", "夫子庙街道"]]
    path = write_csv(tmp_path / "same.csv", rows)
    xuanwu_batch, _ = import_file(kind="units", path=path, user=municipal, territory=world.xuanwu)
    own, _ = import_file(kind="units", path=path, user=qinhuai_organizer)
    assert own.batch.pk > xuanwu_batch.batch.pk and own.batch.file_hash == xuanwu_batch.batch.file_hash
    client.force_login(qinhuai_organizer)
    page = client.get(reverse("surveys:batch-detail", args=[own.batch.pk])).content.decode()
    assert 'id="same-file"' not in page
    client.force_login(municipal)
    page = client.get(reverse("surveys:batch-detail", args=[own.batch.pk])).content.decode()
    assert 'id="same-file"' in page and f"#{xuanwu_batch.batch.pk}" in page


def test_error_report_masks_for_an_officer_without_the_right(client, member_unit_officer, municipal, tmp_path, world):
    """The uploader gets the full values of their own file; another officer of the same body, who
    may open the batch but lacks the full-identity right, gets them masked as on the page."""
    from core.masking import mask_phone
    from tests.surveys.helpers import id_number
    from tests.world import post

    full = id_number()
    bad = full[:-1] + ("1" if full[-1] != "1" else "2")
    rows = [
        ["姓名", "身份证号", "手机号", "所属区", "所属街道"],
        ["走查乙", bad, "13912345679", "秦淮区", "夫子庙街道"],
    ]
    path = write_csv(tmp_path / "members.csv", rows)
    outcome, _ = import_file(kind="members", path=path, user=member_unit_officer)
    batch = outcome.batch
    colleague = type(member_unit_officer).objects.create(username="scjg-2")
    post(colleague, "member_unit", body=world.scjg)

    def report_row(user):
        client.force_login(user)
        response = client.get(reverse("surveys:batch-errors", args=[batch.pk]))
        assert response.status_code == 200
        return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))[
            3
        ]

    assert report_row(member_unit_officer)[4:7] == ("走查乙", bad, "13912345679")
    assert report_row(colleague)[4:7] == ("走查乙", mask_id_number(bad), mask_phone("13912345679"))
    assert report_row(municipal)[5] == bad


def test_street_task_list_names_a_changed_unit_whose_name_did_not_change(
    client, municipal, fuzimiao_cadre, tmp_path, world
):
    """A changed row whose name is the one on record left the 名称 column blank: the street saw
    only a credit code and had to open each task to learn which unit it was."""
    Unit.objects.create(name="甲公司", credit_code=code(51), kind="enterprise", territory=world.fuzimiao)
    rows = [
        ["单位名称", "统一社会信用代码", "所属区", "所属街道", "从业人数"],
        ["甲公司", code(51), "秦淮区", "夫子庙街道", "12人"],
    ]
    import_file(kind="units", path=write_xlsx(tmp_path / "changed.xlsx", rows), user=municipal)
    assert VerificationTask.objects.count() == 1
    client.force_login(fuzimiao_cadre)
    inbox = client.get(reverse("surveys:task-list")).content.decode()
    assert '<td data-label="名称">甲公司</td>' in inbox


def test_street_confirms_or_rejects_several_tasks_at_once(client, municipal, fuzimiao_cadre, xinjiekou_cadre, tmp_path):
    """A street given hundreds of rows had to open each task to press 核实无误: the list takes a
    selection, and only the viewer's own pending tasks are changed."""
    rows = [["单位名称", "统一社会信用代码", "所属区", "所属街道"]]
    rows += [[f"{i}号公司", code(60 + i), "秦淮区", "夫子庙街道"] for i in range(3)]
    rows += [["玄武公司", code(70), "玄武区", "新街口街道"]]
    outcome, _ = import_file(kind="units", path=write_xlsx(tmp_path / "bulk.xlsx", rows), user=municipal)
    tasks = {t.row.row_number: t for t in VerificationTask.objects.filter(batch=outcome.batch).select_related("row")}
    ours, theirs = [tasks[2].pk, tasks[3].pk], tasks[5].pk
    url = reverse("surveys:task-bulk")
    client.force_login(fuzimiao_cadre)
    page = client.get(reverse("surveys:task-list")).content.decode()
    assert f'name="task" value="{tasks[2].pk}"' in page and f'action="{url}"' in page
    # Rejecting needs a reason: nothing is changed, and the page says why.
    response = client.post(url, {"task": ours, "decision": "rejected", "note": " "}, follow=True)
    assert "不予采纳时请写明原因" in response.content.decode()
    assert set(VerificationTask.objects.values_list("status", flat=True)) == {"pending"}
    response = client.post(url, {"task": [*ours, theirs], "decision": "confirmed"}, follow=True)
    assert "2 条任务已核实无误" in response.content.decode()
    statuses = dict(VerificationTask.objects.values_list("row__row_number", "status"))
    assert statuses == {2: "confirmed", 3: "confirmed", 4: "pending", 5: "pending"}
    # Sent again (back and resubmit): nothing is pending among them, nothing changes.
    response = client.post(url, {"task": ours, "decision": "rejected", "note": "查无此单位"}, follow=True)
    assert "所选任务都已处理" in response.content.decode()
    assert VerificationTask.objects.filter(status="rejected").count() == 0
    client.force_login(xinjiekou_cadre)
    assert client.post(url, {"task": [tasks[4].pk], "decision": "confirmed"}).status_code == 302
    assert VerificationTask.objects.get(pk=tasks[4].pk).status == "pending"
