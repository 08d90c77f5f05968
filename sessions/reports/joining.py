"""What the cohort page shows about joining the cohort: its live self-enrolment link, the
requests waiting for a decision, and the forms for a new link and for the counting rule."""

from sessions.programmes.enrolment import live_link
from sessions.programmes.models import Cohort
from sessions.reports.forms import CountingRuleForm
from sessions.reports.programme_forms import LinkForm


def cohort_context(cohort: Cohort, forms: dict) -> dict:
    """The joining part of the cohort page's context (bound forms with errors kept)."""
    initial = {"apologies": cohort.apologies, "late_counts": "yes" if cohort.late_counts else "no"}
    return {
        "link": live_link(cohort),
        "requests": cohort.requests.filter(decided_at__isnull=True).select_related("person"),
        "link_form": forms.get("link_form") or LinkForm(cohort=cohort),
        "rule_form": forms.get("rule_form") or CountingRuleForm(initial=initial, auto_id="rule-%s"),
    }
