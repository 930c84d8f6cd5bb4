import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organizations.models import Unit
from surveys.models import ImportBatch, Lineage, StagedRow, VerificationTask
from tests.surveys.helpers import code, write_xlsx

pytestmark = pytest.mark.django_db

KEYS = {"batch", "rows", "created", "updated", "unchanged", "flagged", "errors", "duplicates"}


def units_file(tmp_path, name="units.xlsx"):
    rows = [
        ["企业摸排表"],
        ["企业名称", "社会信用代码", "区", "街道", "职工人数"],
        ["甲公司", code(1), "秦淮区", "夫子庙街道", "12人"],
        ["乙公司", code(1), "秦淮区", "夫子庙街道", "3人"],
        ["丙公司", code(2)[:-1] + ("0" if code(2)[-1] != "0" else "1"), "秦淮区", "夫子庙街道", "3"],
    ]
    return write_xlsx(tmp_path / name, rows, merges=("A1:E1",))


def run(*args) -> dict:
    out = StringIO()
    call_command("import_survey", *args, "--format", "json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object
    return json.loads(lines[0])


def table_sizes():
    return tuple(m.objects.count() for m in (ImportBatch, StagedRow, VerificationTask, Lineage, Unit))


@pytest.mark.smoke
def test_json_report(world, tmp_path):
    report = run(str(units_file(tmp_path)), "--kind", "units", "--source", "市场监管局")
    assert set(report) >= KEYS
    assert report["rows"] == 3 and report["created"] == 1 and report["flagged"] == 2
    assert report["duplicates"] == [{"row": 4, "first_row": 3}]
    assert report["errors"] == [{"row": 5, "column": "社会信用代码", "message": "统一社会信用代码校验位错误"}]
    assert ImportBatch.objects.get(pk=report["batch"]).source == "市场监管局"


@pytest.mark.smoke
def test_dry_run_writes_nothing_at_all(world, tmp_path):
    before = table_sizes()
    report = run(str(units_file(tmp_path)), "--kind", "units", "--dry-run")
    assert report["dry_run"] is True and report["created"] == 1 and report["rows"] == 3
    assert table_sizes() == before


def test_apply_clean_then_reimport_changes_nothing(world, tmp_path):
    path = str(units_file(tmp_path))
    first = run(path, "--kind", "units", "--apply-clean")
    assert first["applied"] is True and first["created"] == 1
    # The report is of the batch as apply left it, not as the comparison did ("review").
    assert first["status"] == ImportBatch.objects.get(pk=first["batch"]).status == ImportBatch.Status.APPLIED
    sizes = table_sizes()
    second = run(path, "--kind", "units", "--apply-clean")
    assert second["batch"] == first["batch"]
    assert (second["created"], second["updated"]) == (0, 0)
    assert "完全相同" in second["message"]
    assert table_sizes() == sizes


def test_same_content_in_a_new_file_is_unchanged(world, tmp_path):
    run(str(units_file(tmp_path)), "--kind", "units", "--apply-clean")
    again = run(str(units_file(tmp_path, "copy-with-new-name.xlsx")), "--kind", "units", "--dry-run")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)


def test_unreadable_file_exits_non_zero(world, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_survey", str(broken), "--kind", "units", "--format", "json", stdout=out)
    assert exc.value.returncode == 2
    assert json.loads(out.getvalue())["error"].startswith("无法读取文件")
    no_header = tmp_path / "noheader.csv"
    no_header.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_survey", str(no_header), "--kind", "units", stdout=StringIO())
    assert ImportBatch.objects.filter(status="review").count() == 0


def test_territory_cannot_widen_the_users_scope(world, tmp_path):
    """Issue 13: ``--user qinhuai --territory 玄武区`` created units in another district."""
    before = table_sizes()
    with pytest.raises(CommandError, match="不在用户qinhuai的管辖范围"):
        run(str(units_file(tmp_path)), "--kind", "units", "--user", "qinhuai", "--territory", world.xuanwu.code)
    assert table_sizes() == before
    # Narrowing to a street of one's own district is what --territory is for.
    report = run(str(units_file(tmp_path)), "--kind", "units", "--user", "qinhuai", "--territory", world.fuzimiao.code)
    assert ImportBatch.objects.get(pk=report["batch"]).territory == world.fuzimiao
