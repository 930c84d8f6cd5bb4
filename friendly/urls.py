from django.urls import path

from friendly import views

app_name = "friendly"

urlpatterns = [
    path("pass/", views.pass_page, name="pass"),
    path("pass/login/", views.pass_login, name="pass-login"),
    path("pass/logout/", views.pass_logout, name="pass-logout"),
    path("v/<str:token>/", views.verify, name="verify"),
    path("g/<str:key>/", views.guard, name="guard"),
    path("c/<int:pk>/", views.community_page, name="community"),
    path("merchant/", views.merchant_claim, name="merchant"),
    path("merchant/done/", views.merchant_done, name="merchant-done"),
    path("merchant-photos/<int:pk>/", views.merchant_photo, name="merchant-photo"),
]
