from django.urls import path

from sessions.attendance.views import agreement, letters, manage, meeting, mine, register, schedule

app_name = "meetings"

urlpatterns = [
    path("mine/", mine.my_meetings, name="mine"),
    path("record/", mine.my_record, name="record"),
    path("record.csv", mine.my_record_csv, name="record_csv"),
    path("groups/<slug:slug>/", manage.group_meetings, name="group_meetings"),
    path("groups/<slug:slug>/schedule/", schedule.edit_schedule, name="schedule"),
    path("groups/<slug:slug>/add/", manage.add_extra, name="add_extra"),
    path("groups/<slug:slug>/agreement/", agreement.agreement, name="agreement"),
    path("groups/<slug:slug>/agreement/accept/", agreement.accept, name="agreement_accept"),
    path("groups/<slug:slug>/agreement/edit/", agreement.edit, name="agreement_edit"),
    path("groups/<slug:slug>/write/", letters.write, name="write"),
    path("<int:pk>/", meeting.detail, name="detail"),
    path("<int:pk>/cancel/", manage.cancel, name="cancel"),
    path("<int:pk>/move/", manage.move, name="move"),
    path("<int:pk>/reinstate/", manage.reinstate, name="reinstate"),
    path("<int:pk>/apologies/", meeting.send, name="send_apologies"),
    path("<int:pk>/apologies/withdraw/", meeting.withdraw, name="withdraw_apologies"),
    path("<int:pk>/register/", register.register, name="register"),
    path("<int:pk>/register/reopen/", register.reopen, name="reopen_register"),
]
