"""The calendar page shows a person's working feed link whenever they come back, not only once,
while the database still keeps nothing from which the link can be read."""

import re

import pytest
from django.urls import reverse

from members.models import User
from sessions.calendar.models import FeedKey
from sessions.calendar.tokens import current_calendar_token, hash_token, issue_calendar_token

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<code id="feed-url">http://localhost:8000/calendar/([A-Za-z0-9_-]{43})\.ics')


def shown_token(client) -> str | None:
    response = client.get(reverse("calendar:page"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    found = LINK.search(response.content.decode())
    return found.group(1) if found else None


def test_the_link_is_shown_again_on_every_visit(client_for, member):
    client = client_for("member")
    token = issue_calendar_token(person=member)

    assert shown_token(client) == token
    assert shown_token(client) == token
    assert client.get(f"/calendar/{token}.ics").status_code == 200


def test_a_person_sees_only_their_own_link(client_for, member, leader):
    mine = issue_calendar_token(person=member)
    theirs = issue_calendar_token(person=leader)

    assert shown_token(client_for("member")) == mine != theirs


def test_a_new_link_replaces_the_one_shown(client_for, member):
    client = client_for("member")
    old = issue_calendar_token(person=member)

    client.post(reverse("calendar:create_link"))

    new = shown_token(client)
    assert new and new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_turning_the_feed_off_shows_no_link_and_forgets_its_key(client_for, member):
    client = client_for("member")
    issue_calendar_token(person=member)

    client.post(reverse("calendar:turn_off"))

    assert shown_token(client) is None
    assert not FeedKey.objects.filter(person=member).exists()
    assert "Make my calendar link" in client.get(reverse("calendar:page")).content.decode()


def test_the_database_holds_nothing_that_reads_as_the_link(member):
    token = issue_calendar_token(person=member)

    member.refresh_from_db()
    key = FeedKey.objects.get(person=member)
    assert member.calendar_token_hash == hash_token(token)
    assert token not in (key.nonce, member.calendar_token_hash)
    assert not User.objects.filter(calendar_token_hash=token).exists()


def test_without_the_sites_secret_key_the_link_cannot_be_derived(settings, client, member):
    token = issue_calendar_token(person=member)
    member.refresh_from_db()
    assert current_calendar_token(member) == token

    settings.SECRET_KEY = "another-secret-key-" + "x" * 40

    assert current_calendar_token(member) is None
    # The link itself still works: reading a feed compares hashes only.
    assert client.get(f"/calendar/{token}.ics").status_code == 200


def test_a_link_made_before_links_were_kept_is_not_shown_and_a_new_one_is_offered(
    client_for, member
):
    """Tokens issued before FeedKey existed were random: they still work, but cannot be shown."""
    User.objects.filter(pk=member.pk).update(calendar_token_hash=hash_token("r" * 43))
    client = client_for("member")

    page = client.get(reverse("calendar:page")).content.decode()

    assert LINK.search(page) is None
    assert "we cannot show it here" in page
    assert "Make a new link" in page
    assert client.get(f"/calendar/{'r' * 43}.ics").status_code == 200


def test_visitors_are_asked_to_sign_in(client):
    response = client.get(reverse("calendar:page"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
