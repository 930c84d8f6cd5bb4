"""The API's hot route (the public intake) is listed first; nothing else moves."""

from __future__ import annotations

from django.urls import resolve, reverse

from portal.api_urls import HOT_ROUTES, api_urlpatterns, build_router


def test_the_public_intake_route_resolves_first_and_nothing_else_moves():
    names = [getattr(p, "name", None) for p in api_urlpatterns]
    hot = len([name for name in names if name in HOT_ROUTES])
    assert hot == 2 and set(names[:hot]) == HOT_ROUTES  # the route and its format-suffix form
    # The others keep their order: the two views before the router's, then the router's.
    assert names[hot : hot + 2] == ["api-token", "api-me"]
    rest = [str(p.pattern) for p in api_urlpatterns[hot + 2 :]]
    assert rest == [str(p.pattern) for p in build_router().urls if getattr(p, "name", None) not in HOT_ROUTES]
    assert resolve(reverse("grievance-intake")).url_name == "grievance-intake"
    assert resolve("/api/v1/grievances/SQ20261201-00001/").url_name == "grievance-detail"
