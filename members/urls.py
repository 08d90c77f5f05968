from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("confirm/<str:token>/", views.confirm_address, name="confirm_address"),
]
