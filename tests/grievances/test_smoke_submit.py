import pytest

from grievances.models import Grievance
from grievances.services import grievance_submit


@pytest.mark.django_db
def test_submit_quick(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        g = grievance_submit(channel="photo_report", text="路口井盖缺失", territory=world.chaokujie, source_ref="x1")
    g.refresh_from_db()
    assert g.ticket.startswith("SQ")
    assert g.state == Grievance.State.ASSIGNED
    assert grievance_submit(channel="photo_report", text="again", territory=world.chaokujie, source_ref="x1").pk == g.pk
