"""The matching board (供需对接): figures, open needs with suggested resources, resources with
the needs that may ask for them, and claims waiting for an answer. Pages parse input, check the
permission and call a service or selector."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from cobuild import selectors, services
from cobuild.exports import LISTS
from cobuild.models import Alliance, Claim, Need, Resource
from core.exports import export_response
from organizations.scope import get_visible_or_404, restrict

BOARD_NEEDS = 30
BOARD_RESOURCES = 50


def _alliance_filter(request, queryset, field="alliance"):
    pk = request.GET.get("alliance") or ""
    return queryset.filter(**{f"{field}_id": int(pk)}) if pk.isdigit() else queryset


@login_required
@permission_required("cobuild.view_need", raise_exception=True)
@require_safe
def board(request):
    user = request.user
    alliances = list(restrict(Alliance.objects.order_by("id"), user).only("id", "name")[:200])
    open_needs = list(
        _alliance_filter(
            request, restrict(Need.objects.filter(status__in=[Need.Status.OPEN, Need.Status.CLAIMED]), user)
        )
        .select_related("alliance")
        .order_by("raised_on", "id")[:BOARD_NEEDS]
    )
    suggested = selectors.suggestions_for_many(open_needs, user, limit=3)
    for need in open_needs:
        need.suggested = suggested[need.pk]
    resources = list(
        _alliance_filter(request, restrict(Resource.objects.filter(is_available=True), user))
        .select_related("owner")
        .order_by("alliance_id", "category", "id")[:BOARD_RESOURCES]
    )
    # Which open needs may ask for each resource: same alliance, same category.
    askers = defaultdict(list)
    for need in open_needs:
        askers[(need.alliance_id, need.category)].append(need)
    for resource in resources:
        resource.askers = askers.get((resource.alliance_id, resource.category), [])
    claims = list(
        _alliance_filter(
            request,
            restrict(Claim.objects.filter(status__in=[Claim.Status.PENDING, Claim.Status.ACCEPTED]), user),
            field="need__alliance",
        )
        .select_related("need", "resource__owner")
        .order_by("created_at", "id")[:50]
    )
    return render(
        request,
        "cobuild/board.html",
        {
            "figures": selectors.figures(user),
            "alliances": alliances,
            "alliance_pk": request.GET.get("alliance", ""),
            "needs": open_needs,
            "resources": resources,
            "claims": claims,
            "lists": {key: spec[0] for key, spec in LISTS.items()},
        },
    )


@login_required
@permission_required("cobuild.add_claim", raise_exception=True)
@require_POST
def claim(request):
    """Both directions of 双向认领 post here: ``direction`` says who is asking."""
    need_pk, resource_pk = request.POST.get("need", ""), request.POST.get("resource", "")
    if not (need_pk.isdigit() and resource_pk.isdigit()):
        messages.error(request, "认领：请选择需求和资源")
        return redirect("cobuild:board")
    need = get_visible_or_404(Need.objects.select_related("alliance"), request.user, pk=int(need_pk))
    resource = get_visible_or_404(Resource.objects.all(), request.user, pk=int(resource_pk))
    call = services.resource_request if request.POST.get("direction") == "request" else services.need_claim
    try:
        call(need=need, resource=resource, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, f"已发起对接：{resource} → {need}")
    except services.CobuildError as exc:
        messages.error(request, str(exc))
    return redirect("cobuild:board")


@login_required
@permission_required("cobuild.change_claim", raise_exception=True)
@require_POST
def claim_decide(request, pk: int):
    claim_obj = get_visible_or_404(Claim.objects.select_related("need__alliance"), request.user, pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "fulfil":
            services.claim_fulfil(claim=claim_obj, actor=request.user)
            messages.success(request, f"“{claim_obj.need}”已满足")
        elif decision in ("accept", "decline"):
            services.claim_decide(claim=claim_obj, actor=request.user, accept=decision == "accept")
            messages.success(request, "已确认对接" if decision == "accept" else "已婉拒")
        else:
            messages.error(request, "操作：无法识别")
    except services.CobuildError as exc:
        messages.error(request, str(exc))
    return redirect("cobuild:board")


@login_required
@permission_required("cobuild.view_need", raise_exception=True)
@require_safe
def export(request, key: str):
    if key not in LISTS:
        raise Http404
    fmt = request.GET.get("format", "xlsx")
    return export_response(request, key=f"cobuild.{key}", params={}, fmt=fmt)
