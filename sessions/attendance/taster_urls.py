from django.urls import path

from sessions.attendance.views.tasters import booking, invitations, landing

app_name = "tasters"

urlpatterns = [
    path("invite/<str:token>/", landing.landing, name="landing"),
    path("meetings/<int:pk>/", booking.meeting_tasters, name="meeting"),
    path("meetings/<int:pk>/book/", booking.book, name="book"),
    path("bookings/<int:pk>/", booking.booking, name="booking"),
    path("bookings/<int:pk>/cancel/", booking.cancel, name="cancel"),
    path("<slug:slug>/join/", landing.join, name="join"),
    path("<slug:slug>/invitations/", invitations.invitations, name="invitations"),
    path(
        "<slug:slug>/invitations/<int:invitation_id>/resend/",
        invitations.resend,
        name="resend",
    ),
    path(
        "<slug:slug>/invitations/<int:invitation_id>/revoke/",
        invitations.revoke,
        name="revoke",
    ),
]
