"""A group's agreement: the leaders write it (in versions), members and booked tasters accept it
before their first meeting, and the meeting page asks for it before showing the room and link."""

from datetime import timedelta

import pytest
from django.utils import timezone

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from groups.agreements.models import AgreementAcceptance, AgreementVersion
from groups.agreements.services import accept_agreement, save_agreement
from groups.models import BalintGroup
from sessions.calendar.tokens import issue_calendar_token
from sessions.tasters.services import book_taster_seat
from tests.conftest import PERSONAS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404
ALL = [*PERSONAS, "taster"]
READERS = {
    **dict.fromkeys(ALL, NOT_FOUND),
    "anonymous": LOGIN,
    "member": OK,
    "leader": OK,
    "staff": OK,
    "taster": OK,
}
WRITERS = {**READERS, "member": FORBIDDEN, "taster": FORBIDDEN}
RULES = "What is said in the group stays in the group. Cameras on; no recording."


@pytest.fixture
def taster(meeting):
    person = UserFactory(display_name="Dr Tam Taster", email="tam@example.org")
    book_taster_seat(meeting=meeting, person=person)
    return person


@pytest.fixture
def agreement(group, leader):
    return save_agreement(group=group, by=leader, text=RULES, material=True)


@pytest.fixture
def everyone(leader, member, stranger, other_member, other_leader, programme_admin, staff, taster):
    return None


def check(response, expected, *, ok_status: int) -> None:
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == OK:
        assert response.status_code == ok_status
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("persona", ALL)
def test_who_may_read_the_agreement(client_for, everyone, agreement, persona):
    response = client_for(persona).get("/meetings/groups/cotham/agreement/")

    check(response, READERS[persona], ok_status=200)
    if READERS[persona] == OK:
        assert RULES in response.content.decode()


@pytest.mark.parametrize("persona", ALL)
def test_who_may_accept_the_agreement(client_for, everyone, agreement, persona):
    response = client_for(persona).post(
        "/meetings/groups/cotham/agreement/accept/", {"version": agreement.pk}
    )

    check(response, READERS[persona], ok_status=302)
    accepted = AgreementAcceptance.objects.filter(version=agreement).exists()
    assert accepted == (READERS[persona] == OK)


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("method", ["get", "post"])
def test_who_may_write_the_agreement(client_for, everyone, agreement, persona, method):
    data = {"text": "New rules.", "material": "on"} if method == "post" else {}

    response = getattr(client_for(persona), method)("/meetings/groups/cotham/agreement/edit/", data)

    check(response, WRITERS[persona], ok_status=200 if method == "get" else 302)
    changed = AgreementVersion.objects.filter(text="New rules.").exists()
    assert changed == (method == "post" and WRITERS[persona] == OK)


def test_leaders_see_who_has_accepted(client_for, leader, member, taster, agreement):
    accept_agreement(version=agreement, person=member)

    page = client_for("leader").get("/meetings/groups/cotham/agreement/edit/")

    rows = {str(row.person): row for row in page.context["rows"]}
    assert rows["Dr Mo Member"].accepted_at is not None and rows["Dr Mo Member"].role == "Member"
    assert rows["Dr Tam Taster"].accepted_at is None and rows["Dr Tam Taster"].role == "Taster"
    html = page.content.decode()
    assert "Accepted" in html and "Not yet" in html


def test_a_correction_keeps_acceptances_and_a_material_change_asks_again(
    client_for, leader, member, agreement
):
    accept_agreement(version=agreement, person=member)
    client = client_for("leader")

    client.post("/meetings/groups/cotham/agreement/edit/", {"text": RULES + " (typo fixed)"})
    agreement.refresh_from_db()
    assert agreement.number == 1 and agreement.text.endswith("(typo fixed)")
    assert AgreementAcceptance.objects.filter(version=agreement, person=member).exists()

    client.post(
        "/meetings/groups/cotham/agreement/edit/", {"text": "Cameras on.", "material": "on"}
    )
    latest = AgreementVersion.objects.filter(group=agreement.group).order_by("-number").first()
    assert latest.number == 2
    assert not latest.acceptances.exists()
    assert AuditEvent.objects.filter(action="group.agreement").count() == 3


def test_accepting_a_replaced_version_is_refused_with_a_message(
    client_for, leader, member, agreement
):
    save_agreement(group=agreement.group, by=leader, text="Version two.", material=True)

    response = client_for("member").post(
        "/meetings/groups/cotham/agreement/accept/", {"version": agreement.pk}, follow=True
    )

    assert "The agreement has changed since you opened it" in response.content.decode()
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Write the agreement before saving it."),
        ({"text": "   "}, "Write the agreement before saving it."),
        ({"text": "x" * 4001}, "Keep the agreement to 4000 characters or fewer."),
    ],
)
def test_a_bad_agreement_is_a_form_error(client_for, leader, group, data, message):
    response = client_for("leader").post("/meetings/groups/cotham/agreement/edit/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AgreementVersion.objects.exists()


def test_the_help_text_keeps_case_content_out(client_for, leader, group):
    html = client_for("leader").get("/meetings/groups/cotham/agreement/edit/").content.decode()

    assert "not the place for anything about cases or patients" in html


def test_without_an_agreement_nobody_is_asked_and_the_page_says_so(client_for, member, meeting):
    client = client_for("member")

    assert "Room 3, Cotham Health Centre" in client.get(meeting.get_absolute_url()).content.decode()
    page = client.get("/meetings/groups/cotham/agreement/").content.decode()
    assert "have not written an agreement" in page


@pytest.mark.parametrize("persona", ["member", "taster"])
def test_the_meeting_page_asks_for_the_agreement_before_the_room(
    client_for, leader, member, taster, meeting, agreement, persona
):
    client = client_for(persona)

    before = client.get(meeting.get_absolute_url()).content.decode()
    assert "Please accept the group agreement" in before
    assert "Room 3, Cotham Health Centre" not in before

    response = client.post(
        "/meetings/groups/cotham/agreement/accept/",
        {"version": agreement.pk, "next": meeting.pk},
    )
    assert response["Location"] == meeting.get_absolute_url()
    after = client.get(meeting.get_absolute_url()).content.decode()
    assert "Room 3, Cotham Health Centre" in after
    assert "Please accept the group agreement" not in after


def test_leaders_are_not_asked_to_accept_their_own_agreement(
    client_for, leader, meeting, agreement
):
    html = client_for("leader").get(meeting.get_absolute_url()).content.decode()

    assert "Room 3, Cotham Health Centre" in html
    assert "Please accept the group agreement" not in html


def test_joining_and_booking_emails_link_to_the_agreement(
    client_for, group, leader, meeting, agreement
):
    newcomer = UserFactory(email="nia@example.org", display_name="Dr Nia Newcomer")
    client_for("leader").post("/groups/cotham/roster/add/", {"email": "nia@example.org"})
    guest = UserFactory(email="gus@example.org", display_name="Dr Gus Guest")
    client = client_for("anonymous")
    client.force_login(guest)
    client.post(f"/tasters/meetings/{meeting.pk}/book/")

    link = "http://localhost:8000/meetings/groups/cotham/agreement/"
    to_newcomer = Message.objects.filter(to=[newcomer.email])
    to_guest = Message.objects.filter(to=[guest.email])
    assert to_newcomer.exists() and to_guest.exists()
    assert any(link in message.body_text for message in to_newcomer)
    assert any(link in message.body_html for message in to_newcomer)
    assert any(link in message.body_text for message in to_guest)


def test_emails_do_not_mention_an_agreement_the_group_does_not_have(client_for, group, leader):
    newcomer = UserFactory(email="nia@example.org")

    client_for("leader").post("/groups/cotham/roster/add/", {"email": "nia@example.org"})

    messages = Message.objects.filter(to=[newcomer.email])
    assert messages.exists()
    assert not any("agreement" in message.body_text for message in messages)


# --- an online group across time zones, through the site only ---------------------------------


def test_an_online_group_across_time_zones(client, django_client, staff):
    """Staff create an online group in New York; its leader writes the agreement and a schedule;
    a member in London is asked to accept before seeing the link; a fresh link for one meeting
    reaches the member's calendar; a signed-in outsider never sees a link."""
    leader = UserFactory(email="ny.leader@example.org", display_name="Dr Nora York")
    member = UserFactory(
        email="lon.member@example.org", display_name="Dr Lou Don", time_zone="Europe/London"
    )
    outsider = UserFactory(email="out@example.org", display_name="Dr Otto Side")

    client.force_login(staff)
    created = client.post(
        "/groups/new/",
        {
            "name": "Transatlantic Online Balint",
            "slug": "transatlantic",
            "format": "online",
            "country": "US",
            "region": "us-ny",
            "time_zone": "America/New_York",
            "capacity": "8",
            "taster_seats": "1",
            "accepting_members": "on",
            "status": "active",
            "meeting_link": "https://video.example.org/usual-room",
            "leader_emails": leader.email,
        },
    )
    assert created.status_code == 302
    group = BalintGroup.objects.get(slug="transatlantic")

    client.force_login(leader)
    saved = client.post(
        "/meetings/groups/transatlantic/agreement/edit/", {"text": RULES, "material": "on"}
    )
    assert saved.status_code == 302
    start = timezone.localdate() + timedelta(days=1)
    schedule = client.post(
        "/meetings/groups/transatlantic/schedule/",
        {
            "frequency": "twice_monthly",
            "weekday": "3",
            "week_of_month": "2",
            "second_week_of_month": "4",
            "start_time": "12:00",
            "duration_minutes": "60",
            "start_date": start.isoformat(),
            "save": "1",
        },
    )
    assert schedule.status_code == 302
    assert (
        client.post("/groups/transatlantic/roster/add/", {"email": member.email}).status_code == 302
    )
    first = group.meetings.order_by("starts_at").first()

    # The member, in London, sees the meeting in their time and the group's, and is asked first.
    django_client.force_login(member)
    page = django_client.get(first.get_absolute_url()).content.decode()
    assert "your time (Europe/London)" in page and "America/New_York" in page
    assert "Please accept the group agreement" in page
    assert "usual-room" not in page
    agreement = group.agreement_versions.get()
    django_client.post(
        "/meetings/groups/transatlantic/agreement/accept/",
        {"version": agreement.pk, "next": first.pk},
    )
    assert (
        "https://video.example.org/usual-room"
        in django_client.get(first.get_absolute_url()).content.decode()
    )

    # The leader sets a fresh link for that meeting: the member's page and calendar carry it.
    local = first.local_starts_at
    moved = client.post(
        f"/meetings/{first.pk}/move/",
        {
            "day": local.date().isoformat(),
            "start": local.strftime("%H:%M"),
            "duration_minutes": "60",
            "link": "https://video.example.org/fresh-one",
        },
    )
    assert moved.status_code == 302
    assert "fresh-one" in django_client.get(first.get_absolute_url()).content.decode()
    updates = Message.objects.filter(to=[member.email], ical__contains="fresh-one")
    assert updates.exists()
    feed = django_client.get(f"/calendar/{issue_calendar_token(person=member)}.ics")
    feed_text = b"".join(feed.streaming_content) if feed.streaming else feed.content
    assert b"fresh-one" in feed_text.replace(b"\r\n ", b"")

    # A signed-in outsider sees the meeting's date but never a link, nor the agreement.
    django_client.force_login(outsider)
    outside = django_client.get(first.get_absolute_url()).content.decode()
    assert "video.example.org" not in outside
    assert django_client.get("/meetings/groups/transatlantic/agreement/").status_code == 404
    assert not Message.objects.filter(to=[outsider.email]).exists()


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("member", True),
        ("taster", True),
        ("leader", True),
        ("stranger", False),
        ("anonymous", False),
    ],
)
def test_the_group_page_links_to_the_agreement_for_those_who_come(
    client_for, leader, member, taster, stranger, agreement, persona, shown
):
    html = client_for(persona).get("/groups/cotham/").content.decode()

    assert ("/meetings/groups/cotham/agreement/" in html) == shown


def test_the_taster_booking_page_asks_for_the_agreement_before_the_room(
    client_for, leader, taster, meeting, agreement
):
    booking = taster.taster_bookings.get()
    client = client_for("taster")

    before = client.get(f"/tasters/bookings/{booking.pk}/").content.decode()
    assert "Please accept the group agreement" in before
    assert "Room 3, Cotham Health Centre" not in before

    accept_agreement(version=agreement, person=taster)
    after = client.get(f"/tasters/bookings/{booking.pk}/").content.decode()
    assert "Room 3, Cotham Health Centre" in after


def test_the_group_page_asks_members_for_the_agreement_before_the_room(
    client_for, leader, member, agreement
):
    client = client_for("member")

    before = client.get("/groups/cotham/").content.decode()
    assert "read and accept the group agreement" in before
    assert "Room 3, Cotham Health Centre" not in before

    accept_agreement(version=agreement, person=member)
    assert "Room 3, Cotham Health Centre" in client.get("/groups/cotham/").content.decode()
    leader_page = client_for("leader").get("/groups/cotham/").content.decode()
    assert "Room 3, Cotham Health Centre" in leader_page
