from django.urls import path

from sessions.reports.views import (
    blocks,
    certificates,
    cohorts,
    exports,
    feedback,
    feedback_programme,
    funnel,
    group_feedback,
    history,
    joining,
    manage,
    programmes,
)

app_name = "reports"

# Paths with a fixed first part come first; none can be taken for a programme's pages, which
# all have the programme's slug first and a fixed second part.
urlpatterns = [
    path("", programmes.index, name="programmes"),
    path("certificates/mine/", certificates.mine, name="my_certificates"),
    path("certificates/mine/range.pdf", certificates.own_range, name="my_range_certificate"),
    path(
        "certificates/mine/cohort-<int:cohort_id>.pdf",
        certificates.own_cohort,
        name="my_cohort_certificate",
    ),
    path("feedback/thanks/", feedback.thanks, name="feedback_thanks"),
    # A group's own feedback rounds, for its leaders.
    path("group-feedback/<slug:group_slug>/", group_feedback.page, name="group_feedback"),
    path("group-feedback/<slug:group_slug>/start/", group_feedback.start, name="group_round_start"),
    path(
        "group-feedback/<slug:group_slug>/rounds/<int:round_id>/remind/",
        group_feedback.remind,
        name="group_round_remind",
    ),
    path(
        "group-feedback/<slug:group_slug>/rounds/<int:round_id>/close/",
        group_feedback.close,
        name="group_round_close",
    ),
    path(
        "group-feedback/<slug:group_slug>/questionnaire/",
        group_feedback.edit_questionnaire,
        name="group_questionnaire",
    ),
    # Running programmes in the site, and joining a cohort (sessions/reports/views/manage.py,
    # joining.py). "all", "mine", "enrol" and "invitations" are reserved: no programme's slug.
    path("all/", manage.all_programmes, name="all_programmes"),
    path("all/new/", manage.new_programme, name="programme_create"),
    path("enrol/<str:token>/", joining.enrol, name="enrol"),
    path(
        "invitations/<int:pending_id>/accept/",
        joining.answer_invitation,
        {"answer": "accept"},
        name="invitation_accept",
    ),
    path(
        "invitations/<int:pending_id>/decline/",
        joining.answer_invitation,
        {"answer": "decline"},
        name="invitation_decline",
    ),
    path("<slug:slug>/settings/", manage.settings, name="programme_settings"),
    path("<slug:slug>/admins/", manage.admins, name="programme_admins"),
    path("<slug:slug>/admins/add/", manage.add_admin, name="programme_admin_add"),
    path(
        "<slug:slug>/admins/<int:person_id>/remove/",
        manage.remove,
        name="programme_admin_remove",
    ),
    path(
        "<slug:slug>/admins/invitations/<int:invitation_id>/withdraw/",
        manage.withdraw,
        name="programme_admin_withdraw",
    ),
    path("<slug:slug>/cohorts/<int:pk>/link/", joining.new_link, name="cohort_link"),
    path(
        "<slug:slug>/cohorts/<int:pk>/link/<int:link_id>/off/",
        joining.end_link,
        name="cohort_link_off",
    ),
    path(
        "<slug:slug>/cohorts/<int:pk>/requests/<int:request_id>/",
        joining.decide,
        name="cohort_request",
    ),
    path("<slug:slug>/cohorts/<int:pk>/rule/", joining.counting_rule, name="cohort_rule"),
    path(
        "history/groups/<slug:group_slug>/past-meeting/", blocks.past_meeting, name="past_meeting"
    ),
    path("<slug:slug>/", programmes.dashboard, name="dashboard"),
    path("<slug:slug>/cohorts/new/", cohorts.create, name="cohort_create"),
    path("<slug:slug>/history/import/", history.import_attendance, name="history_import"),
    path("<slug:slug>/tasters/", funnel.taster_funnel, name="taster_funnel"),
    path("<slug:slug>/cohorts/<int:pk>/", cohorts.detail, name="cohort"),
    path("<slug:slug>/cohorts/<int:pk>/enrol/", cohorts.enrol, name="cohort_enrol"),
    path("<slug:slug>/cohorts/<int:pk>/place/", cohorts.place, name="cohort_place"),
    path("<slug:slug>/cohorts/<int:pk>/block/", blocks.place_block, name="cohort_block"),
    path(
        "<slug:slug>/cohorts/<int:pk>/block/<int:placement_id>/meetings/",
        blocks.block_meetings,
        name="cohort_block_meetings",
    ),
    path(
        "<slug:slug>/cohorts/<int:pk>/enrolments/<int:enrolment_id>/end/",
        cohorts.end,
        name="enrolment_end",
    ),
    path(
        "<slug:slug>/cohorts/<int:pk>/invitations/<int:pending_id>/withdraw/",
        cohorts.cancel_pending,
        name="pending_withdraw",
    ),
    path(
        "<slug:slug>/cohorts/<int:pk>/trainees/<int:person_id>/certificate.pdf",
        certificates.trainee,
        name="trainee_certificate",
    ),
    path("<slug:slug>/cohorts/<int:pk>/feedback/", feedback.cohort_results, name="cohort_feedback"),
    path("<slug:slug>/cohorts/<int:pk>/feedback/send/", feedback.send_now, name="feedback_send"),
    path(
        "<slug:slug>/cohorts/<int:pk>/feedback/<str:audience>/remind/",
        feedback.remind,
        name="feedback_remind",
    ),
    path(
        "<slug:slug>/cohorts/<int:pk>/feedback/<str:audience>/close/",
        feedback.close_now,
        name="feedback_close",
    ),
    path("<slug:slug>/feedback/", feedback_programme.results, name="programme_feedback"),
    path(
        "<slug:slug>/feedback/results.csv",
        feedback_programme.results_csv,
        name="programme_feedback_csv",
    ),
    path(
        "<slug:slug>/feedback/results.xlsx",
        feedback_programme.results_xlsx_view,
        name="programme_feedback_xlsx",
    ),
    path(
        "<slug:slug>/feedback/questionnaire/<str:audience>/",
        feedback_programme.edit_questionnaire,
        name="feedback_questionnaire",
    ),
    path(
        "<slug:slug>/groups/<slug:group_slug>/taster-feedback/",
        feedback.taster_results,
        name="taster_feedback",
    ),
    path("<slug:slug>/export/attendance.csv", exports.attendance_csv, name="attendance_csv"),
    path("<slug:slug>/export/attendance.xlsx", exports.attendance_xlsx, name="attendance_xlsx"),
    path("<slug:slug>/export/trainees.csv", exports.trainees_csv, name="trainees_csv"),
    path("<slug:slug>/export/trainees.xlsx", exports.trainees_xlsx, name="trainees_xlsx"),
    # Last: a token is never one of the fixed words above.
    path("feedback/<str:token>/", feedback.questionnaire, name="feedback"),
]
