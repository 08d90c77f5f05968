from django.urls import path

from sessions.reports.views import (
    blocks,
    certificates,
    cohorts,
    exports,
    feedback,
    funnel,
    history,
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
