"""The fuzz tests' world: two groups, two programmes, every kind of object a URL can name, and a
digest of the tables a POST could change."""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from groups.models import GroupProposal, Membership, MembershipStatus, PendingMembershipInvite
from members.models import ProgrammeAdminInvitation
from sessions.programmes.models import (
    CohortPlacement,
    EnrolmentLink,
    EnrolmentRequest,
    PendingEnrolment,
)
from sessions.reports.feedback import open_group_round
from sessions.tasters.models import TasterBooking, TasterInvitation
from tests.factories import (
    LeadershipFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.reports.factories import CohortFactory, EnrolmentFactory
from tests.sessions.factories import MeetingFactory

APP_NAMESPACES = {"groups", "meetings", "tasters", "reports", "calendar", "members"}
# allauth's pages are covered lightly: the ones anybody can post to.
ALLAUTH_NAMES = {"account_login", "account_signup", "account_reset_password", "account_email"}

# Tables whose rows a hostile POST must not change; `SNAPSHOT_MODELS` in app_label.Model form.
SNAPSHOT_MODELS = [
    "members.User",
    "members.Programme",
    "programmes.Cohort",
    "programmes.Enrolment",
    "programmes.PendingEnrolment",
    "programmes.EnrolmentLink",
    "programmes.EnrolmentRequest",
    "members.ProgrammeAdminInvitation",
    "groups.BalintGroup",
    "groups.Membership",
    "groups.Leadership",
    "groups.PendingMembershipInvite",
    "groups.GroupProposal",
    "groups.LeaderInvite",
    "meetings.Schedule",
    "meetings.Meeting",
    "meetings.Apology",
    "meetings.AttendanceRecord",
    "tasters.TasterBooking",
    "tasters.TasterInvitation",
    "tasters.MeetingTasterSeats",
]
# Columns that change on every signed-in request, not because of what was posted.
IGNORED_COLUMNS = {"last_login"}


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name"
    route: str
    kwargs: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""


def _walk(patterns, namespace: str, prefix: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from _walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            converters = getattr(entry.pattern, "converters", {})
            yield Endpoint(name, prefix + str(entry.pattern), tuple(converters))


def endpoints() -> list[Endpoint]:
    """Every named URL of the app's own namespaces, and a few of allauth's."""
    found = {}
    for endpoint in _walk(get_resolver().url_patterns, "", "/"):
        if endpoint.namespace in APP_NAMESPACES or endpoint.name in ALLAUTH_NAMES:
            found.setdefault(endpoint.name, endpoint)
    return sorted(found.values(), key=lambda endpoint: endpoint.name)


@dataclass
class Side:
    """One group's (or programme's) objects: what a URL of that side names."""

    group: object
    programme: object
    upcoming: object
    past: object
    active: Membership
    requested: Membership
    invite: PendingMembershipInvite
    co_leadership: object
    booking: TasterBooking
    invitation: TasterInvitation
    cohort: object
    enrolment: object
    pending: PendingEnrolment
    placement: object = None
    extra: dict = field(default_factory=dict)
    proposal: object = None


def _side(group, programme, leader, member, taster) -> Side:
    now = timezone.now()
    upcoming = MeetingFactory(group=group)
    past = MeetingFactory(group=group, starts_at=now - timedelta(hours=3))
    group.memberships.update(joined_at=now - timedelta(days=60))
    requested = MembershipFactory(group=group, status=MembershipStatus.REQUESTED, joined_at=None)
    co_leadership = LeadershipFactory(group=group)
    cohort = CohortFactory(programme=programme)
    enrolment = EnrolmentFactory(cohort=cohort, person=member)
    invitation = TasterInvitation.objects.create(
        group=group,
        email=f"invitee-{group.slug}@example.org",
        inviter=leader,
        token_hash=hashlib.sha256(group.slug.encode()).hexdigest(),
        expires_at=now + timedelta(days=14),
        sent_at=now,
        send_count=1,
    )
    feedback_round, _ = open_group_round(
        group=group, closes_on=timezone.localdate() + timedelta(days=14), by=leader
    )
    return Side(
        group=group,
        programme=programme,
        upcoming=upcoming,
        past=past,
        active=group.memberships.get(person=member),
        requested=requested,
        invite=PendingMembershipInvite.objects.create(
            group=group, email=f"pending-{group.slug}@example.org", invited_by=leader
        ),
        co_leadership=co_leadership,
        booking=TasterBooking.objects.create(meeting=upcoming, group=group, person=taster, seat=1),
        invitation=invitation,
        cohort=cohort,
        enrolment=enrolment,
        pending=PendingEnrolment.objects.create(
            cohort=cohort,
            email=f"trainee-{group.slug}@example.org",
            enrolled_on=cohort.starts_on,
            invited_by=leader,
        ),
        proposal=GroupProposal.objects.create(
            proposer=member,
            name=f"Proposed by {member}",
            slug=f"proposed-{group.slug}",
            fields={"name": f"Proposed by {member}", "slug": f"proposed-{group.slug}"},
        ),
        extra={
            "feedback_round": feedback_round,
            "link": EnrolmentLink.objects.create(
                cohort=cohort,
                token_hash=hashlib.sha256(f"link-{group.slug}".encode()).hexdigest(),
                expires_at=now + timedelta(days=14),
            ),
            "request": EnrolmentRequest.objects.create(cohort=cohort, person=UserFactory()),
            "admin_invitation": ProgrammeAdminInvitation.objects.create(
                programme=programme, email=f"admin-{group.slug}@example.org"
            ),
        },
        placement=CohortPlacement.objects.create(
            cohort=cohort, group=group, weekday=2, meeting_time="14:00", duration_minutes=60
        ),
    )


def build_world(request) -> dict[str, Side]:
    """Both sides, with every persona in place; `request` is pytest's, for the persona fixtures."""
    personas = {
        name: request.getfixturevalue(name)
        for name in ("leader", "member", "other_leader", "other_member", "stranger", "staff")
    }
    group = request.getfixturevalue("group")
    other_group = request.getfixturevalue("other_group")
    other_programme = ProgrammeFactory(admins=[UserFactory()])
    other_group.programme = other_programme
    other_group.save(update_fields=["programme"])
    taster = UserFactory(display_name="Dr Tia Taster")
    own = _side(
        group, request.getfixturevalue("programme"), personas["leader"], personas["member"], taster
    )
    other = _side(
        other_group,
        other_programme,
        personas["other_leader"],
        personas["other_member"],
        UserFactory(),
    )
    return {"own": own, "other": other}


def _object_id(endpoint: Endpoint, kwarg: str, side: Side) -> int:
    name = endpoint.name
    if kwarg == "pk":
        if name.startswith("reports:"):
            return side.cohort.pk
        if name in {"tasters:booking", "tasters:cancel"}:
            return side.booking.pk
        return side.past.pk if name == "meetings:register" else side.upcoming.pk
    return {
        "membership_id": (
            side.requested if name in {"groups:approve", "groups:decline"} else side.active
        ),
        "invite_id": side.invite,
        "leadership_id": side.co_leadership,
        "invitation_id": (
            side.extra["admin_invitation"]
            if name == "reports:programme_admin_withdraw"
            else side.invitation
        ),
        "link_id": side.extra["link"],
        "request_id": side.extra["request"],
        "enrolment_id": side.enrolment,
        "pending_id": side.pending,
        "cohort_id": side.cohort,
        "proposal_id": side.proposal,
        "person_id": side.enrolment.person,
        "round_id": side.extra.get("feedback_round"),
        "placement_id": side.placement,
    }[kwarg].pk


def url_kwargs(endpoint: Endpoint, outer: Side, inner: Side) -> dict:
    """The URL's kwargs: slugs from `outer`, ids from `inner` (the same side, or the other one
    to ask for someone else's object under one's own group)."""
    kwargs = {}
    for kwarg in endpoint.kwargs:
        if kwarg == "slug":
            reports = endpoint.namespace == "reports"
            kwargs[kwarg] = outer.programme.slug if reports else outer.group.slug
        elif kwarg == "audience":
            kwargs[kwarg] = "trainees"
        elif kwarg == "group_slug":
            kwargs[kwarg] = outer.group.slug
        elif kwarg == "token":
            # The taster invitation's raw token is its group's slug (see `_side`); the calendar
            # and feedback tokens are made up.
            taster = endpoint.name == "tasters:landing"
            kwargs[kwarg] = outer.group.slug if taster else "no-such-token"
        else:
            kwargs[kwarg] = _object_id(endpoint, kwarg, inner)
    return kwargs


def snapshot() -> dict[str, str]:
    """A digest of every row of the watched tables, per table."""
    digests = {}
    for label in SNAPSHOT_MODELS:
        model = apps.get_model(label)
        fields = model._meta.concrete_fields
        columns = [f.attname for f in fields if f.attname not in IGNORED_COLUMNS]
        rows = list(model._default_manager.order_by("pk").values_list(*columns))
        digests[label] = f"{len(rows)}:{hashlib.sha256(repr(rows).encode()).hexdigest()}"
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [label for label in before if before[label] != after[label]]
