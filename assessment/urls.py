from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.reviews, name="reviews"),
    path("reviews/<int:pk>/", views.review_action, name="review-action"),
    path("vanguard/<int:pk>/", views.index_ranking, name="ranking"),
]
