from django.urls import include, path

from grievances import views_public, views_staff

app_name = "grievances"

# Included at the site root: public pages under /g/ (short, fits a QR code), staff pages
# under /grievances/.
public_urlpatterns = [
    path("new/", views_public.general_new, name="new"),
    path("s/<str:code>/", views_public.station_new, name="station-new"),
    path("c/<slug:code>/", views_public.campaign_new, name="campaign-new"),
    path("done/", views_public.submitted, name="submitted"),
    path("status/", views_public.status_lookup, name="lookup"),
    path("status/<str:ticket>/", views_public.status, name="status"),
]

staff_urlpatterns = [
    path("", views_staff.inbox_view, name="inbox"),
    path("new/", views_staff.staff_new_view, name="staff-new"),
    path("metrics/", views_staff.metrics_view, name="metrics"),
    path("projects/", views_staff.projects_view, name="projects"),
    path("projects/<int:pk>/", views_staff.project_view, name="project"),
    path("campaigns/<slug:code>/", views_staff.campaign_summary_view, name="campaign"),
    path("extensions/<int:pk>/decide/", views_staff.extension_decide_view, name="extension-decide"),
    path("<str:ticket>/", views_staff.detail_view, name="detail"),
    path("<str:ticket>/photos/<int:pk>/", views_staff.photo_view, name="photo"),
    path("<str:ticket>/<slug:action>/", views_staff.action_view, name="act"),
]

urlpatterns = [
    path("g/", include(public_urlpatterns)),
    path("grievances/", include(staff_urlpatterns)),
]
