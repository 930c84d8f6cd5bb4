"""Where a row belongs: the district and street cells resolved against the hierarchy (part of 比对)."""

from __future__ import annotations

from core.text import clean_text
from organizations.models import Territory
from surveys.specs import error, warning

# (district, street) pairs remembered per batch: a city has a few hundred streets.
RESOLVED_LIMIT = 20_000


class TerritoryIndex:
    """Districts and streets by name and code, loaded once per batch (a few hundred rows)."""

    def __init__(self):
        L = Territory.Level
        self.steplen = Territory.steplen
        self.by_id: dict[int, dict] = {}
        self.by_code: dict[str, dict] = {}
        self.districts: dict[str, dict] = {}
        self.streets_by_name: dict[str, list[dict]] = {}
        rows = Territory.objects.filter(level__in=[L.CITY, L.DISTRICT, L.STREET]).values(
            "id", "code", "name", "path", "level"
        )
        self._resolved: dict[tuple, tuple[int | None, int | None, list[dict]]] = {}
        self.city_names: list[str] = []
        self.by_path: dict[str, dict] = {}
        for row in rows:
            self.by_id[row["id"]] = row
            self.by_path[row["path"]] = row
            self.by_code[row["code"]] = row
            if row["level"] == L.CITY:
                self.city_names.append(row["name"])
            elif row["level"] == L.DISTRICT:
                for name in self._name_variants(row["name"], ("区", "县", "新区")):
                    self.districts.setdefault(name, row)
            else:
                for name in self._name_variants(row["name"], ("街道", "镇", "乡")):
                    self.streets_by_name.setdefault(name, []).append(row)

    @staticmethod
    def _name_variants(name: str, suffixes: tuple[str, ...]) -> set[str]:
        variants = {name}
        for suffix in suffixes:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                variants.add(name[: -len(suffix)])
        return variants

    def _strip_city(self, text: str) -> str:
        for city in self.city_names:
            if text.startswith(city) and len(text) > len(city):
                return text[len(city) :]
        return text

    def get(self, territory_id: int) -> dict | None:
        if territory_id not in self.by_id:
            row = Territory.objects.filter(pk=territory_id).values("id", "code", "name", "path", "level").first()
            if row is None:
                return None
            self.by_id[territory_id] = row
        return self.by_id[territory_id]

    def district_of(self, territory_id: int) -> dict | None:
        row = self.get(territory_id)
        if row is None or len(row["path"]) < 2 * self.steplen:
            return None
        return self.by_path.get(row["path"][: 2 * self.steplen])

    def find_district(self, text: str) -> dict | None:
        key = "".join(clean_text(text).split())
        if key in self.by_code and self.by_code[key]["level"] == Territory.Level.DISTRICT:
            return self.by_code[key]
        key = self._strip_city(key)
        for variant in sorted(self._name_variants(key, ("区", "县", "新区")), key=len, reverse=True):
            if variant in self.districts:
                return self.districts[variant]
        return None

    def find_streets(self, text: str) -> list[dict]:
        key = "".join(clean_text(text).split())
        if key in self.by_code and self.by_code[key]["level"] == Territory.Level.STREET:
            return [self.by_code[key]]
        found = self.streets_by_name.get(key)
        if found:
            return found
        for variant in self._name_variants(key, ("街道", "镇", "乡")):
            if variant in self.streets_by_name:
                return self.streets_by_name[variant]
        return []

    def resolve(self, district_text, street_text) -> tuple[int | None, int | None, list[dict]]:
        """(record territory, task territory, issues) for a row's district and street cells.

        A file names a few hundred places in thousands of rows: each pair is resolved once."""
        key = (district_text, street_text)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolve(district_text, street_text)
            if len(self._resolved) < RESOLVED_LIMIT:
                self._resolved[key] = found
        territory_id, hint, issues = found
        return territory_id, hint, [dict(issue) for issue in issues]

    def _resolve(self, district_text, street_text) -> tuple[int | None, int | None, list[dict]]:
        issues: list[dict] = []
        district = None
        if district_text:
            district = self.find_district(district_text)
            if district is None:
                return None, None, [error("district", f"未知的区：“{district_text}”")]
        if not street_text:
            if district is None:
                return None, None, [error("district", "缺少所属区和街道，无法确定属地")]
            return district["id"], district["id"], issues
        streets = self.find_streets(street_text)
        if district is not None:
            inside = [s for s in streets if s["path"].startswith(district["path"])]
            if inside:
                return inside[0]["id"], inside[0]["id"], issues
            if streets:
                names = "、".join(
                    sorted({self.district_of(s["id"])["name"] for s in streets if self.district_of(s["id"])})
                )
                issues.append(
                    warning(
                        "street",
                        f"街道“{street_text}”不在{district['name']}（平台中属于{names}），暂按区级登记，请核实",
                    )
                )
            else:
                issues.append(
                    warning("street", f"{district['name']}没有名为“{street_text}”的街道，暂按区级登记，请核实")
                )
            return district["id"], district["id"], issues
        if len(streets) == 1:
            return streets[0]["id"], streets[0]["id"], issues
        if streets:
            return None, None, [error("street", f"街道“{street_text}”在多个区都有，请填写所属区")]
        return None, None, [error("street", f"未知的街道：“{street_text}”，且未填写所属区")]
