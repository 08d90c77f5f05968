"""What needs programme admins (cohorts starting or ending soon) and staff (emails that failed,
groups with no leader, programmes with no admin), each in a fixed number of queries."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from balint.outbox.models import Message, MessageStatus
from groups.models import BalintGroup, GroupStatus, Leadership
from members.models import Programme
from sessions.programmes.models import Cohort
from sessions.site.home.needs import PROGRAMMES, STAFF, Need

# Cohorts starting or ending within this are shown to their programme's admins.
COHORT_NOTICE = timedelta(days=14)
COHORT_STARTS_SOON = timedelta(days=7)
# Emails that failed for good within this are shown to staff.
FAILED_EMAILS_SHOWN_FOR = timedelta(days=7)
# An email still unsent after this points at a stopped worker or a mail server refusing it.
EMAIL_LATE_AFTER = timedelta(hours=1)
LISTED = 8


def cohorts_starting_or_ending(viewer) -> list[Need]:
    """Cohorts of the viewer's programmes that start or end within two weeks (one query)."""
    if not viewer.administers:
        return []
    today = timezone.localdate(viewer.now)
    horizon = today + COHORT_NOTICE
    cohorts = (
        Cohort.objects.filter(programme__admins=viewer.user)
        .filter(Q(starts_on__range=(today, horizon)) | Q(ends_on__range=(today, horizon)))
        .annotate(
            trainees=Count("enrolments", filter=Q(enrolments__left_on__isnull=True), distinct=True),
            groups=Count("placements", distinct=True),
        )
        .select_related("programme")
        .order_by("starts_on", "name")
    )
    return [_cohort_need(cohort, today) for cohort in cohorts]


def _cohort_need(cohort: Cohort, today) -> Need:
    starting = cohort.starts_on >= today
    trainees = f"{cohort.trainees} trainee{'s' if cohort.trainees != 1 else ''}"
    groups = f"{cohort.groups} group{'s' if cohort.groups != 1 else ''}"
    warning = ""
    if starting and not cohort.groups and cohort.starts_on - today <= COHORT_STARTS_SOON:
        warning = "Starts soon and is not placed in a group yet"
    return Need(
        PROGRAMMES,
        f"{cohort.name} {'starts' if starting else 'ends'}",
        detail=f"{cohort.programme.name}: {trainees}, placed in {groups}."
        if starting
        else f"{cohort.programme.name}: {trainees}. Their feedback invitations go out the day "
        "after it ends.",
        url=reverse("reports:cohort", args=[cohort.programme.slug, cohort.pk]),
        action="See the cohort",
        due=cohort.starts_on if starting else cohort.ends_on,
        due_label="Starts" if starting else "Ends",
        warning=warning,
    )


def emails_in_trouble(viewer) -> list[Need]:
    """Emails that failed for good lately, and emails long unsent (one query)."""
    if not viewer.is_staff:
        return []
    failed = Q(status=MessageStatus.FAILED, created_at__gte=viewer.now - FAILED_EMAILS_SHOWN_FOR)
    late = Q(status=MessageStatus.PENDING, created_at__lte=viewer.now - EMAIL_LATE_AFTER)
    counts = Message.objects.filter(failed | late).aggregate(
        failed=Count("pk", filter=failed), late=Count("pk", filter=late)
    )
    changelist = reverse("admin:outbox_message_changelist")
    needs = []
    if counts["failed"]:
        n = counts["failed"]
        needs.append(
            Need(
                STAFF,
                f"{n} email{'s' if n != 1 else ''} failed for good in the last week",
                detail="The mail server refused them after every try: see why in the outbox.",
                url=f"{changelist}?status__exact={MessageStatus.FAILED}",
                action="See the failed emails",
                warning="Some people were not told",
            )
        )
    if counts["late"]:
        n = counts["late"]
        needs.append(
            Need(
                STAFF,
                f"{n} email{'s' if n != 1 else ''} waiting for more than an hour",
                detail="The worker or the mail server may be down; they are tried again.",
                url=f"{changelist}?status__exact={MessageStatus.PENDING}",
                action="See the waiting emails",
            )
        )
    return needs


def groups_without_leaders(viewer) -> list[Need]:
    """Open groups nobody leads (one query)."""
    if not viewer.is_staff:
        return []
    groups = (
        BalintGroup.objects.exclude(status=GroupStatus.CLOSED)
        .exclude(Exists(Leadership.objects.filter(group=OuterRef("pk"))))
        .order_by("name")[:LISTED]
    )
    return [
        Need(
            STAFF,
            f"{group.name} has no leader",
            detail="Appoint one: until then nobody answers its requests or keeps its register.",
            url=reverse("groups:settings", args=[group.slug]),
            action="Appoint a leader",
        )
        for group in groups
    ]


def programmes_without_admins(viewer) -> list[Need]:
    """Programmes nobody administers (one query)."""
    if not viewer.is_staff:
        return []
    programmes = Programme.objects.filter(
        ~Exists(Programme.admins.through.objects.filter(programme=OuterRef("pk")))
    ).order_by("name")[:LISTED]
    return [
        Need(
            STAFF,
            f"{programme.name} has no programme admin",
            detail="Nobody can see its reports or enrol its trainees but staff.",
            url=reverse("admin:members_programme_change", args=[programme.pk]),
            action="Add an admin",
        )
        for programme in programmes
    ]


SOURCES = [
    cohorts_starting_or_ending,
    emails_in_trouble,
    groups_without_leaders,
    programmes_without_admins,
]
