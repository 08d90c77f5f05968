from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("", views.finder, name="finder"),
    path("<slug:slug>/", views.detail, name="detail"),
]
