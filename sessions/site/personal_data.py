"""Everything the site holds about one person, for their subject access download (UK GDPR).

It reads every layer, so it lives at the top one. Anonymous feedback answers are not here: they
have no link back to anyone.
"""

import json
from collections.abc import Iterator
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from balint.audit.models import AuditEvent
from balint.exports import stream_csv
from balint.outbox.models import Message
from groups.agreements.models import AgreementAcceptance
from groups.models import (
    GroupProposal,
    LeaderContact,
    LeaderInvite,
    Leadership,
    Membership,
    PendingMembershipInvite,
)
from members.models import ProgrammeAdminInvitation, User
from sessions.meetings.models import Apology, AttendanceRecord, CalendarReply
from sessions.programmes.models import (
    Cohort,
    CohortPlacement,
    Enrolment,
    EnrolmentRequest,
    PendingEnrolment,
)
from sessions.reports.models import FeedbackInvitation
from sessions.tasters.models import TasterBooking, TasterInvitation

CSV_HEADER = ["Section", "Record", "Field", "Value"]


def _profile(person: User) -> list[dict[str, Any]]:
    return [
        {
            "email": person.email,
            "display_name": person.display_name,
            "time_zone": person.time_zone,
            "accreditation": person.get_accreditation_display(),
            "reminders": person.get_reminders_display(),
            "calendar_feed_enabled": person.calendar_token_hash is not None,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
        }
    ]


def _sign_in_accounts(person: User) -> list[dict[str, Any]]:
    """The organisation accounts linked for signing in, with the claims kept from each."""
    names = {
        app["provider_id"]: app["name"]
        for app in settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    }
    return [
        {
            "provider": names.get(account.provider, account.provider),
            "account_id": account.uid,
            "linked_at": account.date_joined,
            "last_sign_in": account.last_login,
            "details_from_provider": account.extra_data,
        }
        for account in SocialAccount.objects.filter(user=person).order_by("date_joined")
    ]


def _memberships(person: User) -> list[dict[str, Any]]:
    memberships = (
        Membership.objects.filter(person=person)
        .select_related("group")
        .prefetch_related("events")
        .order_by("requested_at")
    )
    return [
        {
            "group": m.group.name,
            "status": m.get_status_display(),
            "note": m.note,
            "requested_at": m.requested_at,
            "joined_at": m.joined_at,
            "ended_at": m.ended_at,
            "history": "; ".join(
                f"{e.get_status_display()} at {e.at.isoformat()}" for e in m.events.all()
            ),
        }
        for m in memberships
    ]


def _outbox(person: User) -> list[dict[str, Any]]:
    emails = {a.lower() for a in person.emailaddress_set.values_list("email", flat=True)}
    emails.add(person.email.lower())
    query = Q()
    for email in emails:
        query |= Q(to__icontains=email)
    rows = Message.objects.filter(query).order_by("created_at")
    return [
        {"subject": m.subject, "created_at": m.created_at, "sent_at": m.sent_at, "status": m.status}
        for m in rows
        if emails & {str(a).lower() for a in m.to}
    ]


def collect_personal_data(*, person: User) -> dict[str, list[dict[str, Any]]]:
    """Every record held about `person`, by section, each a list of plain dicts."""
    email_q = Q(email__iexact=person.email)
    return {
        "profile": _profile(person),
        "email_addresses": list(
            EmailAddress.objects.filter(user=person).values("email", "verified", "primary")
        ),
        "sign_in_accounts": _sign_in_accounts(person),
        "memberships": _memberships(person),
        "leaderships": [
            {"group": x.group.name, "role": x.get_role_display(), "since": x.since}
            for x in Leadership.objects.filter(person=person).select_related("group")
        ],
        "apologies": [
            {
                "group": a.meeting.group.name,
                "meeting": a.meeting.starts_at,
                "sent_at": a.sent_at,
                "note": a.note,
            }
            for a in Apology.objects.filter(person=person).select_related("meeting__group")
        ],
        "attendance": [
            {
                "group": r.meeting.group.name,
                "meeting": r.meeting.starts_at,
                "role": r.get_role_display(),
                "status": r.get_status_display(),
                "presented_case": r.presented_case,
                "recorded_at": r.recorded_at,
            }
            for r in AttendanceRecord.objects.filter(person=person).select_related("meeting__group")
        ],
        "calendar_replies": [
            {
                "group": r.meeting.group.name,
                "meeting": r.meeting.starts_at,
                "answer": r.get_answer_display(),
                "answered_at": r.stamped_at,
            }
            for r in CalendarReply.objects.filter(person=person).select_related("meeting__group")
        ],
        "taster_bookings": [
            {
                "group": b.group.name,
                "meeting": b.meeting.starts_at,
                "status": b.get_status_display(),
                "booked_at": b.booked_at,
                "cancelled_at": b.cancelled_at,
            }
            for b in TasterBooking.objects.filter(person=person).select_related("group", "meeting")
        ],
        "taster_invitations": [
            {
                "group": i.group.name,
                "email": i.email,
                "message": i.message,
                "created_at": i.created_at,
                "expires_at": i.expires_at,
            }
            for i in TasterInvitation.objects.filter(email_q | Q(accepted_by=person))
            .select_related("group")
            .distinct()
        ],
        "group_agreements_accepted": [
            {"group": a.version.group.name, "version": a.version.number, "at": a.accepted_at}
            for a in AgreementAcceptance.objects.filter(person=person).select_related(
                "version__group"
            )
        ],
        "group_invitations": [
            {"group": i.group.name, "email": i.email, "created_at": i.created_at}
            for i in PendingMembershipInvite.objects.filter(email_q).select_related("group")
        ],
        "group_proposals": [
            {
                "name": p.name,
                "state": p.get_state_display(),
                "proposed_at": p.created_at,
                "decided_at": p.decided_at,
            }
            for p in GroupProposal.objects.filter(proposer=person)
        ],
        "invitations_to_lead": [
            {"group": i.group.name, "email": i.email, "created_at": i.created_at}
            for i in LeaderInvite.objects.filter(email_q).select_related("group")
        ],
        "messages_to_leaders": [
            {"group": c.group.name, "from": c.sender_email, "sent_at": c.sent_at}
            for c in LeaderContact.objects.filter(
                Q(sender=person) | Q(sender_email__iexact=person.email)
            ).select_related("group")
        ],
        "enrolments": [
            {
                "programme": e.cohort.programme.name,
                "cohort": e.cohort.name,
                "enrolled_on": e.enrolled_on,
                "left_on": e.left_on,
            }
            for e in Enrolment.objects.filter(person=person).select_related("cohort__programme")
        ],
        "pending_enrolments": [
            {"cohort": e.cohort.name, "email": e.email, "enrolled_on": e.enrolled_on}
            for e in PendingEnrolment.objects.filter(email_q).select_related("cohort")
        ],
        "enrolment_requests": [
            {"cohort": r.cohort.name, "asked_at": r.created_at, "approved": r.approved}
            for r in EnrolmentRequest.objects.filter(person=person).select_related("cohort")
        ],
        "programme_admin_invitations": [
            {"programme": i.programme.name, "email": i.email, "created_at": i.created_at}
            for i in ProgrammeAdminInvitation.objects.filter(email_q).select_related("programme")
        ],
        "feedback_invitations": [
            {"kind": f.get_kind_display(), "answered": hasattr(f, "receipt")}
            for f in FeedbackInvitation.objects.filter(person=person).select_related("receipt")
        ],
        "emails_sent_to_you": _outbox(person),
        "things_you_did": [
            {"at": e.at, "area": e.get_area_display(), "what": e.summary, "where": e.where}
            for e in AuditEvent.objects.filter(actor=person).order_by("at")
        ],
        "about_you_in_the_audit_log": [
            {"at": e.at, "area": e.get_area_display(), "what": e.summary, "where": e.where}
            for e in _audit_about(person)
        ],
        "roles": _roles(person),
        "things_you_created": _created(person),
    }


def _audit_about(person: User):
    """Audit entries that name the person or are about their account, whoever acted."""
    about = Q(object_type=User._meta.label_lower, object_id=person.pk)
    for name in {person.display_name, person.email}:
        if len(name) >= 3:
            about |= Q(summary__icontains=name)
    return AuditEvent.objects.filter(about).exclude(actor=person).order_by("at")


def _roles(person: User) -> list[dict[str, Any]]:
    roles = [
        {"role": "Programme admin", "of": programme.name}
        for programme in person.administered_programmes.order_by("name")
    ]
    if person.is_staff:
        roles.append({"role": "Site staff", "of": ""})
    return roles


def _created(person: User) -> list[dict[str, Any]]:
    """What the person made or sent for others: invitations, cohorts, placements."""
    invitations = TasterInvitation.objects.filter(inviter=person).select_related("group")
    return [
        *(
            {"what": "Taster invitation", "group": i.group.name, "to": i.email, "at": i.created_at}
            for i in invitations.order_by("created_at")
        ),
        *(
            {"what": "Cohort", "programme": c.programme.name, "name": c.name, "at": c.created_at}
            for c in Cohort.objects.filter(created_by=person).select_related("programme")
        ),
        *(
            {
                "what": "Cohort placed in a group",
                "cohort": p.cohort.name,
                "group": p.group.name,
                "at": p.placed_at,
            }
            for p in CohortPlacement.objects.filter(placed_by=person).select_related(
                "cohort", "group"
            )
        ),
    ]


def as_json(data: dict[str, list[dict[str, Any]]]) -> str:
    """The collected data as indented JSON (dates in ISO 8601)."""
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _cell(value: Any) -> object:
    if value is None:
        return ""
    plain = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    # A nested record (the claims a provider sent) stays one readable cell.
    return json.dumps(plain, ensure_ascii=False) if isinstance(plain, dict | list) else plain


def csv_rows(data: dict[str, list[dict[str, Any]]]) -> Iterator[list[object]]:
    """One row per field: section, record number, field, value (cells are neutralised)."""
    yield CSV_HEADER
    for section, records in data.items():
        for number, record in enumerate(records, start=1):
            for field, value in record.items():
                yield [section, number, field, _cell(value)]


def as_csv(data: dict[str, list[dict[str, Any]]]) -> Iterator[str]:
    """The collected data as CSV lines, with formula cells neutralised."""
    return stream_csv(csv_rows(data))
