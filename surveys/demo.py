"""Demo data: one 市场监管局 units list for 秦淮区, read, compared and decomposed — so the batch
page, the problem report and 夫子庙街道's inbox have something to show. Idempotent: the batch is
recognised by its source and not made twice."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from organizations.models import Territory, Unit
from surveys.fixtures import bad_checksum, credit_code
from surveys.models import ImportBatch

DEMO_SOURCE = "市场监管局（演示）"
DEMO_STREETS = ("夫子庙街道", "中华门街道", "秦虹街道")


def seed(stdout=None) -> None:
    if ImportBatch.objects.filter(source=DEMO_SOURCE).exists():
        return
    qinhuai = Territory.objects.filter(code="320104").first()
    if qinhuai is None:
        return
    from surveys.services import import_file

    held = list(
        Unit.objects.filter(territory__path__startswith=qinhuai.path, credit_code__isnull=False)
        .select_related("territory")
        .order_by("pk")[:4]
    )
    rows: list[list] = [
        ["秦淮区新兴领域企业摸排表（市场监管局报送）"],
        [],
        ["序号", "企业名称", "信用代码", "所在区", "街道", "从业人数", "成立日期"],
    ]
    for unit in held:
        street = unit.territory.name if unit.territory.level == Territory.Level.STREET else DEMO_STREETS[0]
        staff = unit.employee_count + (150 if unit is held[-1] else 0)
        renamed = len(held) > 1 and unit is held[-2]
        name = f"{unit.name}（更名）" if renamed else unit.name
        rows.append([len(rows) - 2, name, unit.credit_code, "秦淮区", street, f"{staff}人", "2019.6"])
    for i in range(12):
        code = credit_code(880000 + i)
        if i == 5:
            code = bad_checksum(code)
        rows.append(
            [
                len(rows) - 2,
                f"南京演示{i + 1:02d}网络科技有限公司",
                code,
                "秦淮区",
                DEMO_STREETS[i % len(DEMO_STREETS)],
                f"{8 + i * 3}人",
                f"2021年{i % 12 + 1}月",
            ]
        )
    rows.append([len(rows) - 2, "南京演示01网络科技有限公司", credit_code(880000), "秦淮区", "夫子庙街道", "8人", ""])
    rows.append(["合计"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "秦淮区企业摸排表（演示）.csv"
        with open(path, "w", encoding="gb18030", newline="") as fh:
            csv.writer(fh).writerows(rows)
        outcome, report = import_file(kind="units", path=path, source=DEMO_SOURCE, territory=qinhuai)
    if stdout:
        stdout.write(f"  双线摸排演示批次 #{outcome.batch.pk}：{report['rows']}行，{report['flagged']}行待处理")
