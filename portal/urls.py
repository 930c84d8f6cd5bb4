from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from portal import views
from portal.api_urls import api_urlpatterns
from stations.urls import map_urlpatterns as friendly_map_urls
from stations.urls import public_urlpatterns as station_public_urls

admin.site.site_header = settings.PORTAL_SITE_NAME
admin.site.site_title = "新兴领域党建"
admin.site.index_title = "管理后台"
SITE = {"site_name": settings.PORTAL_SITE_NAME}

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    # Django's auth views put the request's host in ``site_name``; the platform's name wins.
    path("accounts/login/", auth_views.LoginView.as_view(extra_context=SITE), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(extra_context=SITE), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("organizations/", include("organizations.urls")),
    path("points/", include("points.urls")),
    path("cobuild/", include("cobuild.urls")),
    path("training/", include("training.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("assessment/", include("assessment.urls")),
    path("api/v1/", include(api_urlpatterns)),
    path("stations/", include("stations.urls")),
    path("members/", include("members.urls")),
    path("", include("grievances.urls")),
    path("", include("cadence.urls")),
    path("exports/", include("core.urls")),
    path("surveys/", include("surveys.urls")),
    path("s/", include(station_public_urls)),
    path("map/", include(friendly_map_urls)),
    path("nx/", include("friendly.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

# No MEDIA_URL route, not even under DEBUG: a /media/ route would hand any file to whoever has
# its path. Uploaded files are served by their app's view once their record came through its
# door: case, inspection and 随手拍 photos, weekly attachments and key-task evidence through
# the scope rule, exports to their owner only.
