from django.urls import path

from core import views

app_name = "exports"

urlpatterns = [
    path("", views.export_list, name="list"),
    path("start/", views.export_start, name="start"),
    path("<int:pk>/", views.export_status, name="status"),
    path("<int:pk>/download/", views.export_download, name="download"),
]
