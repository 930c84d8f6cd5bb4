"""Masking that cannot be undone: from everything a street officer can see of a person — the
API list and detail, the admin list, page and history, the export, search — the full ID number
cannot be rebuilt. Each piece is gathered as the officer gets it; then every ID number
consistent with all of it is counted."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry

from core.masking import ID_KEEP_HEAD, ID_KEEP_TAIL, mask_for_audit, mask_id_number
from members.validators import id_check_char
from tests.members.factories import make_person

pytestmark = pytest.mark.django_db

BIRTHS = [date(1961, 2, 28), date(1979, 12, 31), date(1990, 1, 1), date(2000, 2, 29), date(2004, 7, 15)]


def _gather(client, api_client, officer, people) -> str:
    """Everything the officer can read about ``people``, as one text."""
    seen: list[str] = []
    api_client.force_authenticate(officer)
    seen.append(api_client.get("/api/v1/persons/?page_size=500").content.decode())
    client.force_login(officer)
    seen.append(client.get("/admin/members/person/").content.decode())
    for person in people:
        seen.append(api_client.get(f"/api/v1/persons/{person.pk}/").content.decode())
        seen.append(client.get(f"/admin/members/person/{person.pk}/change/").content.decode())
        seen.append(client.get(f"/admin/members/person/{person.pk}/history/").content.decode())
        # Search by the tail the mask shows, and by longer tails (refused, must find nothing).
        tail = person.phone[-4:]
        seen.append(api_client.get(f"/api/v1/persons/?q={tail}").content.decode())
    # The export the officer can download: the changelist's CSV (the one export path).
    seen.append(client.get("/admin/members/person/?export=csv").content.decode("utf-8-sig"))
    return "\n".join(seen)


def _candidates(masked: str, birth_year: int) -> int:
    """How many valid ID numbers match a masked ID and a birth year."""
    head, tail = masked[:ID_KEEP_HEAD], masked[-ID_KEEP_TAIL:]
    count = 0
    day = date(birth_year, 1, 1)
    while day.year == birth_year:
        for seq in range(100):
            first17 = f"{head}{day:%Y%m%d}{seq:02d}{tail[0]}"
            if id_check_char(first17) == tail[1]:
                count += 1
        day += timedelta(days=1)
    return count


def test_street_officer_cannot_rebuild_full_id_numbers(client, api_client, world, fuzimiao_cadre):
    names = ["赵一", "钱二", "孙三", "李四", "周五"]
    people = [make_person(world.chaokujie, name=n, birth=b) for n, b in zip(names, BIRTHS, strict=True)]
    # A change written to the audit trail, as an officer correcting a phone would.
    for person in people:
        person.phone = "13912345678"
        person.save()
    text = _gather(client, api_client, fuzimiao_cadre, people)
    for person in people:
        assert person.id_number not in text
        # Neither the birth date in any spelling nor any 10+ character piece of the number.
        for spelling in (
            f"{person.birth_date:%Y%m%d}",
            f"{person.birth_date:%Y-%m-%d}",
            f"{person.birth_date:%Y年%-m月}",
        ):
            assert spelling not in text, spelling
        for start in range(0, 9):
            assert person.id_number[start : start + 10] not in text
        masked = mask_id_number(person.id_number)
        assert masked in text
        # What remains unknown: month, day and two sequence digits — thousands of candidates.
        assert _candidates(masked, person.birth_date.year) > 1000


def test_audit_log_masks_by_the_same_policy(world):
    person = make_person(world.chaokujie, name="审计", birth=date(1985, 5, 6))
    entry = LogEntry.objects.get_for_object(person).latest("timestamp")
    changes = str(entry.changes)
    assert person.id_number not in changes
    assert person.id_number[-9:] not in changes  # auditlog's own default showed half the value
    assert mask_id_number(person.id_number) in changes
    assert "1985-05-06" not in changes and "1985-**-**" in changes
    assert mask_for_audit("13912345678") == "139****5678"


def test_phone_tail_search_takes_exactly_four_digits(api_client, world, fuzimiao_cadre):
    person = make_person(world.chaokujie, name="尾号", phone="13987654321")
    api_client.force_authenticate(fuzimiao_cadre)

    def found(term):
        return [row["id"] for row in api_client.get(f"/api/v1/persons/?q={term}").json()["results"]]

    assert found("4321") == [person.pk]
    assert found("54321") == [] and found("654321") == []  # would reveal hidden digits
    assert found(person.id_number[-4:]) in ([], [person.pk])  # only if the phone happens to match
    assert found(person.id_number) == [person.pk]  # a full number is matched whole
    assert found(person.id_number[-6:]) == []


def test_duplicate_outside_scope_is_reported_without_a_name(api_client, world, xinjiekou_cadre, fuzimiao_cadre):
    other = make_person(world.huaqiaolu, name="尹俊")
    api_client.force_authenticate(fuzimiao_cadre)
    response = api_client.post(
        "/api/v1/persons/", {"name": "某人", "id_number": other.id_number, "territory": world.chaokujie.pk}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "尹俊" not in body and "已在其他辖区登记" in body
    api_client.force_authenticate(xinjiekou_cadre)
    response = api_client.post(
        "/api/v1/persons/", {"name": "某人", "id_number": other.id_number, "territory": world.huaqiaolu.pk}
    )
    assert response.status_code == 400 and "尹俊" in response.content.decode()


def test_api_shows_birth_year_never_birth_date(api_client, world, fuzimiao_cadre):
    person = make_person(world.chaokujie, birth=date(1990, 3, 4))
    api_client.force_authenticate(fuzimiao_cadre)
    row = api_client.get(f"/api/v1/persons/{person.pk}/").json()
    assert "birth_date" not in row and row["birth_year"] == 1990
    assert re.fullmatch(r"\d{6}\*{10}[\dX]{2}", row["id_number_masked"])
