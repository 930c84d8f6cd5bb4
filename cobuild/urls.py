from django.urls import path

from cobuild import views

app_name = "cobuild"

urlpatterns = [
    path("", views.board, name="board"),
    path("claim/", views.claim, name="claim"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim-decide"),
    path("export/<str:key>/", views.export, name="export"),
]
