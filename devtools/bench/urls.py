"""URLs of the benchmark's gunicorn: every URL of the portal plus two minimal views, the references
the intake's throughput is compared with. Selected by ``devtools.bench.server_settings`` only.

* ``minimal``: no database at all, Django's floor under the portal's middleware;
* ``intake_floor``: the intake's own writes and publish and nothing else, the floor the intake's
  goal (≥0.7×) is measured against.
"""

from functools import cache

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.models import OutboxMessage
from core.queue import publish_many
from grievances.models import Channel, Grievance, GrievanceEvent
from grievances.services.intake import next_ticket
from portal.urls import urlpatterns as portal_urlpatterns
from stations.models import Station

MINIMAL_PATH = "/__bench__/minimal/"
FLOOR_PATH = "/__bench__/intake-floor/"
RECEIPT = "您的诉求已受理，受理编号 {}，可凭编号和手机尾号查询办理进度。"


def minimal(request):
    """No database, no template, no session: Django's floor under the portal's middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


@cache
def _place(code: str) -> tuple[int, int]:
    """A station's id and territory id, read once per worker: the floor writes, it does not look up."""
    return Station.objects.values_list("pk", "territory_id").get(code=code)


@cache
def _content_type_id() -> int:
    return ContentType.objects.get_for_model(Grievance).pk


@transaction.non_atomic_requests
@csrf_exempt
@require_POST
def intake_floor(request):
    """The INSERTs of one public intake and its publish, with no form, limit, lookup or template:
    the day's ticket from the same sequence, the case, its audit-log entry, its timeline event,
    the triage and receipt-SMS outbox rows in one INSERT; after commit both tasks are published
    and marked sent in one UPDATE (``core.queue.publish_many``, as the intake does)."""
    station_id, territory_id = _place(request.POST["station"])
    phone, text = request.POST["phone"], request.POST["text"]
    now = timezone.now()
    with transaction.atomic():
        ticket = next_ticket(now)
        with disable_auditlog():  # the entry is written below, without auditlog's field diffing
            grievance = Grievance.objects.create(
                ticket=ticket,
                channel=Channel.STATION_QR,
                contact_name="基准测试",
                contact_phone=phone,
                territory_id=territory_id,
                station_id=station_id,
                text=text,
                submitted_at=now,
            )
        LogEntry.objects.create(
            content_type_id=_content_type_id(),
            object_pk=str(grievance.pk),
            object_id=grievance.pk,
            object_repr=ticket,
            action=LogEntry.Action.CREATE,
            changes={"ticket": ["None", ticket], "text": ["None", text]},
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
        GrievanceEvent.objects.create(
            grievance=grievance, kind=GrievanceEvent.Kind.SUBMITTED, actor_label="驿站扫码", at=now, is_public=True
        )
        messages = OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(task="grievances.tasks.triage_grievance", args=[grievance.pk]),
                OutboxMessage(task="core.send_sms", args=[phone, RECEIPT.format(ticket)]),
            ]
        )
        transaction.on_commit(lambda: publish_many(messages))
    return HttpResponse(ticket.encode("ascii"), content_type="text/plain", status=201)


# First, so that resolving them costs one regex match: the references are the framework and the
# writes, not the length of the portal's URL list.
urlpatterns = [
    path(MINIMAL_PATH.strip("/") + "/", minimal, name="bench-minimal"),
    path(FLOOR_PATH.strip("/") + "/", intake_floor, name="bench-intake-floor"),
    *portal_urlpatterns,
]
