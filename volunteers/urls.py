from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/join/", views.join, name="join"),
    path("teams/<int:pk>/activity/", views.activity, name="activity"),
]
