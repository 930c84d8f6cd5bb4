"""The documented KPIs districts are ranked by in the monthly dispatch (月调度).

Each KPI is a rate in percent: ``numerator ÷ denominator × 100`` of two figures of one metrics
provider, read from the month-end daily snapshot of each node. Rules, also shown on the page:

* **Minimum sample.** A node whose denominator is below ``min_sample`` is not ranked (shown as
  “样本不足”): three grievances, all satisfied, is not a 100% worth a first place.
* **Ties.** Values are compared at one decimal; equal values share a rank and the next rank is
  skipped (standard competition ranking: 1, 1, 3).
* **Direction.** All KPIs here are better when higher.

A KPI is offered only when its provider is registered (its source app supplies the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

from cadence.metrics import PROVIDERS


@dataclass(frozen=True)
class KPI:
    key: str
    label: str
    provider: str
    numerator: str
    denominator: str
    min_sample: int
    definition: str

    def value(self, figures: dict) -> tuple[float | None, int]:
        """(rate, sample) from one node's snapshot figures; rate is None below the minimum sample."""
        group = figures.get(self.provider) or {}
        num, den = group.get(self.numerator), group.get(self.denominator)
        if not isinstance(den, int) or not isinstance(num, int | float):
            return None, 0
        if den < self.min_sample or den == 0:
            return None, den
        return round(num * 100 / den, 1), den


KPIS: list[KPI] = [
    KPI("coverage", "组织覆盖率", "organizations", "units_covered", "units", 5, "已组织覆盖单位 ÷ 在册覆盖单位"),
    KPI(
        "station_compliance",
        "驿站达标率",
        "stations",
        "compliant",
        "open",
        3,
        "对照“六个一”检查达标的驿站 ÷ 运行中驿站",
    ),
    KPI("station_open", "驿站运行率", "stations", "open", "stations", 3, "运行中驿站 ÷ 驿站总数"),
    KPI(
        "grievance_response",
        "诉求响应率",
        "grievances",
        "responded",
        "response_due",
        5,
        "按时响应的诉求 ÷ 本月应响应诉求",
    ),
    KPI("grievance_resolution", "诉求解决率", "grievances", "resolved", "received", 5, "已解决诉求 ÷ 本月受理诉求"),
    KPI("grievance_satisfaction", "诉求满意率", "grievances", "satisfied", "rated", 5, "满意评价 ÷ 已评价诉求"),
    KPI("points_activity", "积分活跃率", "points", "active_earners", "registered", 10, "本月获得积分的人数 ÷ 在册人数"),
    KPI("punctuality", "周例会按时报送率", "weekly", "on_time", "due", 2, "截止前提交的周例会报告 ÷ 本月应报份数"),
]


def available_kpis() -> list[KPI]:
    """KPIs whose provider supplies both figures."""
    found = []
    for kpi in KPIS:
        prov = PROVIDERS.get(kpi.provider)
        if prov and prov.figure(kpi.numerator) and prov.figure(kpi.denominator):
            found.append(kpi)
    return found


def kpi_by_key(key: str) -> KPI | None:
    return next((k for k in available_kpis() if k.key == key), None)


def rank(kpi: KPI, rows: list[tuple[str, str, dict]]) -> list[dict]:
    """Rank ``rows`` of (node_key, label, figures) by ``kpi``; ties share a rank (1, 1, 3)."""
    entries = []
    for key, label, figures in rows:
        value, sample = kpi.value(figures)
        entries.append({"node": key, "label": label, "value": value, "sample": sample, "rank": None})
    ranked = [e for e in entries if e["value"] is not None]
    for entry in ranked:
        entry["rank"] = 1 + sum(1 for other in ranked if other["value"] > entry["value"])
    ranked.sort(key=lambda e: (e["rank"], e["label"]))
    unranked = sorted((e for e in entries if e["value"] is None), key=lambda e: e["label"])
    for entry in unranked:
        entry["note"] = f"样本不足（{entry['sample']}<{kpi.min_sample}）"
    return ranked + unranked
