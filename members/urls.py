from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("distribution/", views.distribution, name="distribution"),
    path("board/", views.board, name="board"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
]
