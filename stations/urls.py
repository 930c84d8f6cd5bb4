from django.urls import path

from stations import views, views_manager

urlpatterns = [
    path("", views.station_list, name="station-list"),
    path("map/", views.station_map, name="station-map"),
    path("map/points.json", views.map_points, name="station-map-points"),
    path("inspection-photos/<int:pk>/", views.inspection_photo, name="station-inspection-photo"),
    path("<str:code>/visits/", views.visits_entry, name="station-visits"),
    path("<str:code>/manage/", views_manager.manage, name="station-manage"),
    path("<str:code>/inspect/", views_manager.inspect, name="station-inspect"),
    path("<str:code>/care/", views_manager.care, name="station-care"),
    path("<str:code>/qr.png", views.qr_png, name="station-qr-png"),
    path("<str:code>/qr.svg", views.qr_svg, name="station-qr-svg"),
    path("<str:code>/poster/", views.poster, name="station-poster"),
]

public_urlpatterns = [
    path("<str:code>/", views.phone_page, name="station-phone"),
    path("<str:code>/feedback/", views_manager.feedback, name="station-feedback"),
]

# 友好地图, public: mounted at /map/ by the project's urls.
map_urlpatterns = [
    path("", views.friendly_map, name="friendly-map"),
    path("points.json", views.friendly_map_points, name="friendly-map-points"),
]
