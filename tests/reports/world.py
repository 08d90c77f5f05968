"""The reports' part of the demo world, for tests/test_seed_demo.py's `world()`."""

from sessions.programmes.models import Cohort, CohortPlacement, Enrolment, PendingEnrolment
from sessions.reports.feedback_models import ResultCount
from sessions.reports.models import FeedbackInvitation, FeedbackReceipt


def reports_world() -> dict:
    return {
        "cohorts": sorted(
            Cohort.objects.values_list(
                "programme__slug",
                "name",
                "starts_on",
                "ends_on",
                "required_meetings",
                "required_percent",
            )
        ),
        "enrolments": sorted(
            Enrolment.objects.values_list("cohort__name", "person__email", "enrolled_on", "left_on")
        ),
        "pending_enrolments": sorted(
            PendingEnrolment.objects.values_list("cohort__name", "email", "accepted_at")
        ),
        "placements": sorted(CohortPlacement.objects.values_list("cohort__name", "group__slug")),
        "feedback": (
            sorted(FeedbackInvitation.objects.values_list("person__email", "kind", "cohort__name")),
            FeedbackReceipt.objects.count(),
            sorted(
                ResultCount.objects.values_list(
                    "batch__round__cohort__name", "batch__answers", "key", "value", "count"
                )
            ),
        ),
    }
