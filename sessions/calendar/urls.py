from django.urls import path

from sessions.calendar import views

app_name = "calendar"

urlpatterns = [
    path("", views.calendar_page, name="page"),
    path("new-link/", views.create_link, name="create_link"),
    path("turn-off/", views.turn_off, name="turn_off"),
    path("meetings/<int:pk>.ics", views.meeting_file, name="meeting"),
    path("<str:token>.ics", views.feed, name="feed"),
]
