"""The handler inbox as a filtered list: one parser of the page's query string, shared by the page
and its Excel export, so the file holds exactly the rows the handler is looking at.

Search (``q``) matches the ticket, the text, and — only for exactly four digits, the digits the
masked phone shows (``core.masking``) — the submitter phone's tail. Filters: ``state`` (a state,
or ``open``), ``category`` (code), ``street`` (territory code, within the viewer's scope),
``overdue=1``, ``due_days=N`` (open and due within N days). Bad values are ignored, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from core.text import clean_code
from grievances.models import OPEN_STATES, Category, Grievance
from grievances.selectors import inbox
from members.selectors import phone_search_q
from organizations.models import Territory
from organizations.scope import placeable

TABS = [("mine", "我承办的"), ("due", "24小时内到期"), ("overdue", "已超期"), ("all", "全部")]
MAX_DUE_DAYS = 90
PAGE_SIZE = 50


@dataclass
class InboxFilter:
    tab: str = "mine"
    q: str = ""
    state: str = ""
    category: str = ""
    street: Territory | None = None
    overdue: bool = False
    due_days: int | None = None
    labels: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.q or self.state or self.category or self.street or self.overdue or self.due_days)


def streets_for(user):
    """The streets the viewer may filter by: those their posts reach (``placeable``); territory
    names are shared reference data for line posts, and a station manager was offered the city."""
    return placeable(Territory.objects.filter(level=Territory.Level.STREET), user).order_by("path")


def parse(user, params) -> InboxFilter:
    tabs = dict(TABS)
    tab = params.get("tab") or "mine"
    f = InboxFilter(tab=tab if tab in tabs else "mine")
    f.labels.append(tabs[f.tab])
    f.q = (params.get("q") or "").strip()[:100]
    if f.q:
        f.labels.append(f"搜索“{f.q}”")
    state = params.get("state") or ""
    if state == "open" or state in Grievance.State.values:
        f.state = state
        f.labels.append("办理中（全部未结）" if state == "open" else Grievance.State(state).label)
    code = params.get("category") or ""
    category = Category.objects.filter(code=code).first() if code else None
    if category is not None:
        f.category = code
        f.labels.append(category.name)
    street_code = params.get("street") or ""
    if street_code:
        f.street = streets_for(user).filter(code=street_code).first()
        if f.street is not None:
            f.labels.append(f.street.name)
    f.overdue = params.get("overdue") in ("1", "on", "true")
    if f.overdue:
        f.labels.append("已超期")
    days = str(params.get("due_days") or "")
    if days.isdigit() and 0 < int(days) <= MAX_DUE_DAYS:
        f.due_days = int(days)
        f.labels.append(f"{f.due_days}天内到期")
    return f


def search(user, f: InboxFilter, *, now: datetime | None = None):
    """The inbox rows of ``f``, through the scope rule (``inbox`` → ``grievances_for``)."""
    now = now or timezone.now()
    qs = inbox(user, tab=f.tab, now=now)
    if f.q:
        term = f.q
        # Tickets and phone digits are codes, folded as typed with a Chinese input method; the
        # case text is matched as written. A phone by the one rule (phone_search_q): whole, or
        # the 4 digits its mask shows.
        match = Q(ticket__icontains=clean_code(term)) | Q(text__icontains=term)
        if (phone := phone_search_q(term, "contact_phone", viewer=user)) is not None:
            match |= phone | (Q(contact_phone="") & phone_search_q(term, "person__phone", viewer=user))
        qs = qs.filter(match)
    if f.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif f.state:
        qs = qs.filter(state=f.state)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.street is not None:
        qs = qs.filter(territory__path__startswith=f.street.path)
    if f.overdue:
        qs = qs.filter(state__in=OPEN_STATES, resolve_due_at__lt=now)
    if f.due_days:
        qs = qs.filter(
            state__in=OPEN_STATES, resolve_due_at__gte=now, resolve_due_at__lt=now + timedelta(days=f.due_days)
        )
    return qs.select_related("person", "assignee__territory", "assignee__organization", "assignee__body")


def page_of(qs, raw_page, size: int | None = None) -> tuple[list, int, bool]:
    """One page without COUNT(*) (like ``core.pagination``): rows, page number, has a next page."""
    size = size or PAGE_SIZE
    try:
        number = max(1, min(int(raw_page), 100_000))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * size
    rows = list(qs[offset : offset + size + 1])
    return rows[:size], number, len(rows) > size
