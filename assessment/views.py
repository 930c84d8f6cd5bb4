"""Staff pages: a cycle's reviews (submit a report, score it) and an index's ranking."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from assessment import selectors, services
from assessment.models import ReviewCycle, SecretaryReview
from core.exports import FORMATS, export_response
from organizations.scope import get_visible_or_404, restrict


@login_required
@permission_required("assessment.view_secretaryreview", raise_exception=True)
@require_safe
def reviews(request):
    # A street sees the district's cycle through its own secretaries' reviews in it.
    through_reviews = restrict(SecretaryReview.objects.all(), request.user).values("cycle_id")
    own = restrict(ReviewCycle.objects.all(), request.user).values("pk")
    cycles = list(ReviewCycle.objects.filter(Q(pk__in=own) | Q(pk__in=through_reviews)).order_by("-year", "id")[:50])
    chosen = request.GET.get("cycle", "")
    cycle = next((c for c in cycles if str(c.pk) == chosen), cycles[0] if cycles else None)
    rows = list(services.reviews_for(request.user, cycle)[:300]) if cycle else []
    indices = list(selectors.indices_visible(request.user).order_by("-year", "id")[:50])
    return render(
        request,
        "assessment/reviews.html",
        {"cycles": cycles, "cycle": cycle, "rows": rows, "indices": indices},
    )


@login_required
@permission_required("assessment.change_secretaryreview", raise_exception=True)
@require_POST
def review_action(request, pk: int):
    review = get_visible_or_404(SecretaryReview.objects.select_related("cycle"), request.user, pk=pk)
    try:
        if request.POST.get("action") == "submit":
            services.review_submit(
                review=review,
                report=request.POST.get("report", ""),
                new_sector_work=request.POST.get("new_sector_work", ""),
                actor=request.user,
            )
            messages.success(request, f"{review.secretary_name} 已述职")
        else:
            try:
                score = Decimal(request.POST.get("score", ""))
            except InvalidOperation:
                raise services.AssessmentError("评议得分：请填写 0 到 100 之间的数") from None
            services.review_score(
                review=review, score=score, opinion=request.POST.get("opinion", ""), actor=request.user
            )
            messages.success(request, f"{review.secretary_name} 已评议")
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect(f"/assessment/?cycle={review.cycle_id}")


@login_required
@permission_required("assessment.view_vanguardindex", raise_exception=True)
@require_safe
def index_ranking(request, pk: int):
    index = get_object_or_404(
        selectors.indices_visible(request.user).select_related("territory", "organization"), pk=pk
    )
    if (fmt := request.GET.get("export")) in FORMATS:
        key = "assessment.organizations" if request.GET.get("list") == "organizations" else "assessment.ranking"
        return export_response(request, key=key, params={"index": str(index.pk)}, fmt=fmt)
    result = selectors.ranking(index, request.user)
    return render(request, "assessment/ranking.html", {"index": index, "result": result, "top": result.members[:100]})
