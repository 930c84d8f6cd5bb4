from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("sessions/<int:pk>/roster.xlsx", views.roster_export, name="roster"),
]
