from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("units/<int:pk>/", views.unit_profile, name="unit-profile"),
    path("coverage/", views.coverage, name="coverage"),
    path("scores/", views.scores, name="scores"),
]
