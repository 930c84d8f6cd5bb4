import pytest

from members import demo
from members.models import DevelopmentRecord, MeetingAttendance, PartyMembership, Person, Stage, Transfer
from organizations import demo as organizations_demo
from organizations.models import Meeting


@pytest.mark.django_db
def test_demo_is_plausible_complete_and_idempotent(monkeypatch):
    # The real sizes (5,000 workers in Qinhuai) are for `make run`; the shape is the same here.
    monkeypatch.setattr(demo, "QINHUAI_WORKERS", 600)
    monkeypatch.setattr(demo, "OTHER_DISTRICT_WORKERS", 30)
    organizations_demo.seed()
    demo.seed()
    # Plain id sets: simple queries, whatever plan an un-analysed test database picks.
    qinhuai_workers = set(
        Person.objects.filter(territory__path__startswith=demo._path(demo.QINHUAI))
        .exclude(occupation="office")
        .values_list("id", flat=True)
    )
    developed = set(DevelopmentRecord.objects.values_list("person_id", flat=True))
    assert len(qinhuai_workers) == 600
    found_members = PartyMembership.objects.filter(person_id__in=sorted(qinhuai_workers - developed)).count()
    assert found_members == demo.QINHUAI_WORKER_MEMBERS
    assert PartyMembership.objects.filter(is_mobile=True).exists()
    assert PartyMembership.objects.filter(is_invisible=True, organization__isnull=True).exists()
    assert PartyMembership.objects.filter(lost_contact=True).exists()
    assert set(Transfer.objects.values_list("status", flat=True)) == set(Transfer.Status.values)
    assert set(DevelopmentRecord.objects.values_list("stage", flat=True)) == set(Stage.values)
    # Some meetings have a per-person roll, and their counts are the roll's.
    rolled = Meeting.objects.filter(attendances__isnull=False).distinct()
    assert rolled.exists()
    for meeting in rolled[:5]:
        roll = MeetingAttendance.objects.filter(meeting=meeting)
        assert meeting.expected_count == roll.count()
        assert meeting.attended_count == roll.filter(status="attended").count()
    counts = (Person.objects.count(), PartyMembership.objects.count(), Transfer.objects.count())
    demo.seed()
    assert (Person.objects.count(), PartyMembership.objects.count(), Transfer.objects.count()) == counts
