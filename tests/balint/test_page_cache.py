"""Kept pages (balint/page_cache.py): served again only while exact, and only to whom they were for.

Each change a page shows (a name, a mark, a membership, a permission) made in each way the code
can make it (a model's save, QuerySet.update, bulk_create, raw SQL, another connection's commit)
shows on the next request; nobody is ever served a page kept for somebody else."""

import gzip
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balint import changes, page_cache
from groups.models import Leadership, Membership, MembershipStatus
from members.models import User
from sessions.meetings.models import AttendanceRecord, AttendanceRole, AttendanceStatus
from tests.concurrency import at_once
from tests.factories import BalintGroupFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

ROOM = "Room 3, Cotham Health Centre"


@pytest.fixture(autouse=True)
def clock_standing_still(monkeypatch):
    """A page is kept for the minute it was rendered in: a test whose requests straddled a
    minute would see it rendered again. The clock stands still unless a test moves it."""
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)


def fetch(client: Client, path: str) -> tuple[int, str]:
    """The number of queries the request ran, and the page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(queries), response.content.decode()


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


# What is kept, for whom


@pytest.mark.parametrize(
    "path", ["/groups/", "/groups/?format=in_person&page=1", "/groups/cotham/"]
)
def test_a_visitor_is_served_the_kept_page_without_a_query(client, group, leader, path):
    _, first = fetch(client, path)

    count, second = fetch(client, path)

    assert count == 0
    assert second == first


def test_a_signed_in_page_is_kept_for_its_person(leader, member, group):
    client = signed_in(leader)
    cold, first = fetch(client, "/groups/cotham/roster/")

    warm, second = fetch(client, "/groups/cotham/roster/")

    assert cold > 0
    assert warm == 0
    assert without_tokens(second) == without_tokens(first)
    assert "Dr Mo Member" in second


def test_nobody_is_served_a_page_kept_for_somebody_else(group, member, other_group, other_member):
    MeetingFactory(group=group)
    MeetingFactory(group=other_group)
    mine = signed_in(member)
    theirs = signed_in(other_member)
    visitor = Client()

    for _ in range(2):  # the second round is served from what the first kept
        member_page = fetch(mine, "/meetings/mine/")[1]
        other_page = fetch(theirs, "/meetings/mine/")[1]
        visitor_group_page = fetch(visitor, "/groups/cotham/")[1]
        member_group_page = fetch(mine, "/groups/cotham/")[1]

        assert "Dr Mo Member" in member_page and "Dr Ola Member" not in member_page
        assert "Cotham GP Balint Group" in member_page and "Online group" not in member_page
        assert "Online group" in other_page and "Cotham GP Balint Group" not in other_page
        assert ROOM in member_group_page
        assert ROOM not in visitor_group_page


def csrf_token_in(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_a_kept_page_carries_each_requests_own_csrf_token(leader, member, group):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    _, first = fetch(client, "/groups/cotham/roster/")

    count, page = fetch(client, "/groups/cotham/roster/")

    assert count == 0  # served from what the first request kept
    assert page_cache.CSRF_PLACEHOLDER not in page
    assert csrf_token_in(page) != csrf_token_in(first)  # masked afresh for each response
    membership = Membership.objects.get(person=member)
    response = client.post(
        f"/groups/cotham/roster/{membership.pk}/remove/",
        {"csrfmiddlewaretoken": csrf_token_in(page), "ended_on": "soon"},
    )
    assert response.status_code == 302  # through the CSRF check, to the form's own answer


def test_a_browser_without_a_csrf_cookie_is_given_one_with_the_kept_page(leader, member, group):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    fetch(client, "/groups/cotham/roster/")
    del client.cookies["csrftoken"]

    count, page = fetch(client, "/groups/cotham/roster/")

    assert count == 0
    assert client.cookies["csrftoken"].value  # a new secret, which the page's token masks
    membership = Membership.objects.get(person=member)
    response = client.post(
        f"/groups/cotham/roster/{membership.pk}/remove/",
        {"csrfmiddlewaretoken": csrf_token_in(page), "ended_on": "soon"},
    )
    assert response.status_code == 302


def test_the_token_is_masked_as_djangos_own_with_every_character_of_the_mask_drawn():
    from django.http import HttpRequest
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token

    request = HttpRequest()
    request.META["CSRF_COOKIE"] = secret = "a1B2" * 8
    tokens = [page_cache._token(request) for _ in range(500)]

    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert len(set(tokens)) == 500
    assert set("".join(token[:32] for token in tokens)) == set(CSRF_ALLOWED_CHARS)
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_a_kept_page_is_sent_with_the_headers_the_site_gave_it(leader, group):
    client = signed_in(leader)
    first = client.get("/groups/cotham/roster/")

    with CaptureQueriesContext(connection) as queries:
        kept = client.get("/groups/cotham/roster/")

    assert len(queries) == 0
    assert dict(kept.headers) == dict(first.headers) | {"Content-Length": str(len(kept.content))}
    assert "Content-Security-Policy" in kept.headers and "Vary" in kept.headers
    # The CSRF cookie is renewed when the page is rendered; the browser already holds it.
    assert first.cookies["csrftoken"].value == client.cookies["csrftoken"].value
    assert "csrftoken" not in kept.cookies


def test_a_page_with_messages_waiting_is_rendered_afresh_and_shows_them_once(leader, member, group):
    client = signed_in(leader)
    fetch(client, "/groups/cotham/roster/")
    membership = Membership.objects.get(person=member)
    client.post(f"/groups/cotham/roster/{membership.pk}/remove/", {"ended_on": "soon"})

    count, page = fetch(client, "/groups/cotham/roster/")
    assert count > 2
    assert "Not removed: enter their last day as a date" in page

    assert "Not removed" not in fetch(client, "/groups/cotham/roster/")[1]


def test_a_page_is_kept_only_for_the_minute_it_was_rendered_in(leader, group, monkeypatch):
    # The roster does not say until when it stays as it is (the finder and the group page do:
    # tests/groups/test_public_pages_kept.py).
    client = signed_in(leader)
    fetch(client, "/groups/cotham/roster/")
    a_minute_on = timezone.now() + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: a_minute_on)

    count, _ = fetch(client, "/groups/cotham/roster/")

    assert count > 0


# Every change shows on the next request


def test_a_new_name_shows_at_once_saved_or_updated(leader, member, group):
    client = signed_in(leader)
    fetch(client, "/groups/cotham/roster/")

    member.display_name = "Dr Morwenna Member"
    member.save()
    assert "Dr Morwenna Member" in fetch(client, "/groups/cotham/roster/")[1]

    User.objects.filter(pk=member.pk).update(display_name="Dr Maud Member")
    assert "Dr Maud Member" in fetch(client, "/groups/cotham/roster/")[1]


def test_a_new_mark_shows_at_once_even_through_raw_sql(group, member):
    past_meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=7))
    client = signed_in(member)
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(
                meeting=past_meeting,
                person=member,
                role=AttendanceRole.MEMBER,
                status=AttendanceStatus.ABSENT,
                recorded_at=timezone.now(),
            )
        ]
    )
    before = fetch(client, "/meetings/record/")[1]
    assert "Absent" in before

    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "meetings_attendancerecord" SET status = %s WHERE person_id = %s',
            [AttendanceStatus.PRESENT, member.pk],
        )

    after = fetch(client, "/meetings/record/")[1]
    assert "Absent" not in after
    assert "Present" in after


def test_a_new_membership_shows_at_once(leader, group):
    client = signed_in(leader)
    newcomer = UserFactory(display_name="Dr Nia Newcomer", email="nia@example.org")
    assert "Dr Nia Newcomer" not in fetch(client, "/groups/cotham/roster/")[1]

    Membership.objects.bulk_create(
        [Membership(group=group, person=newcomer, status=MembershipStatus.ACTIVE)]
    )

    assert "Dr Nia Newcomer" in fetch(client, "/groups/cotham/roster/")[1]


def test_a_permission_taken_away_shows_at_once(leader, member, group):
    client = signed_in(leader)
    fetch(client, "/groups/cotham/roster/")

    Leadership.objects.filter(person=leader).delete()

    assert client.get("/groups/cotham/roster/").status_code == 404


def test_a_role_shows_in_the_navigation_at_once(member, programme, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    client = signed_in(member)
    assert ">Programmes</a>" not in fetch(client, "/meetings/mine/")[1]

    programme.admins.add(member)

    assert ">Programmes</a>" in fetch(client, "/meetings/mine/")[1]


# Who writes, and when


def test_every_kind_of_statement_names_the_tables_it_writes():
    assert changes.written_tables('INSERT INTO "groups_membership" ("a") VALUES (1)') == {
        "groups_membership"
    }
    assert changes.written_tables('UPDATE "members_user" SET "x" = 1') == {"members_user"}
    assert changes.written_tables("delete from meetings_meeting where id = 1") == {
        "meetings_meeting"
    }
    assert changes.written_tables('TRUNCATE "a", "b" RESTART IDENTITY CASCADE;') == {"a", "b"}
    assert changes.written_tables('SELECT * FROM "a" FOR UPDATE') == set()
    assert changes.written_tables('UPDATE "django_session" SET "x" = 1') == set()


def test_a_query_names_every_table_it_reads_subqueries_included():
    sql = (
        'SELECT "g"."id" FROM "groups_balintgroup" INNER JOIN "groups_leadership" ON (1) '
        'WHERE EXISTS(SELECT 1 AS "a" FROM "groups_membership" U0 WHERE U0."id" = 1)'
    )

    assert changes.read_tables(sql) == {
        "groups_balintgroup",
        "groups_leadership",
        "groups_membership",
    }


def test_a_write_in_a_transaction_moves_the_version_again_when_it_commits(group):
    before = changes.snapshot()["groups_balintgroup"]
    with transaction.atomic():
        group.name = "Renamed"
        group.save()
        during = changes.snapshot()["groups_balintgroup"]
        callbacks = [c for _, c, _ in connection.run_on_commit if isinstance(c, changes._OnCommit)]

    assert during != before  # this connection sees its own write
    assert len(callbacks) == 1  # one callback a transaction, however many statements
    assert "groups_balintgroup" in callbacks[0].tables


@pytest.mark.django_db(transaction=True)
def test_a_page_rendered_while_another_connection_commits_is_not_served_again(
    monkeypatch, settings
):
    """The race: a request reads a row, another connection changes it and commits, and the
    request then keeps a page of the old row. The commit moves the version after the page's
    versions were read, so the next request renders afresh."""
    assert_race(monkeypatch, commit_moves_versions=True)


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_move_on_commit_the_old_page_is_served(monkeypatch):
    monkeypatch.setattr(changes._OnCommit, "__call__", lambda self: None)

    assert_race(monkeypatch, commit_moves_versions=False)


def assert_race(monkeypatch, *, commit_moves_versions: bool) -> None:
    group = BalintGroupFactory(slug="race", description="We meet on Tuesdays.")
    import groups.views.public as public

    render = public.detail_context
    written = threading.Event()

    def write_in_another_connection():
        with transaction.atomic():
            type(group).objects.filter(pk=group.pk).update(description="We meet on Thursdays.")
        connection.close()
        written.set()

    def detail_context_after_a_commit(request, access, **kwargs):
        # The group row has been read; another connection now changes it and commits.
        if not written.is_set():
            threading.Thread(target=write_in_another_connection).start()
            written.wait(timeout=10)
        return render(request, access, **kwargs)

    monkeypatch.setattr(public, "detail_context", detail_context_after_a_commit)
    client = Client()
    assert "Tuesdays" in client.get("/groups/race/").content.decode()  # the old row, rendered

    page = client.get("/groups/race/").content.decode()

    if commit_moves_versions:
        assert "Thursdays" in page
    else:
        assert "Tuesdays" in page  # the race shows: the old page is served again


# The person and their roles, kept between requests


def test_a_person_made_inactive_is_signed_out_at_once(member, group):
    client = signed_in(member)
    fetch(client, "/meetings/mine/")
    fetch(client, "/meetings/mine/")

    User.objects.filter(pk=member.pk).update(is_active=False)

    assert client.get("/meetings/mine/").status_code == 302


def test_a_new_password_signs_out_the_other_sessions_at_once(member, group):
    client = signed_in(member)
    fetch(client, "/meetings/mine/")

    member.set_password("a new and longer passphrase")
    member.save()

    assert client.get("/meetings/mine/").status_code == 302


def test_a_new_programme_admin_is_asked_for_two_factor_at_once(member, programme, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True
    client = signed_in(member)
    fetch(client, "/meetings/mine/")

    programme.admins.add(member)

    response = client.get("/meetings/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_a_change_to_a_table_the_page_did_not_read_leaves_it_kept(leader, member, group):
    from django.contrib.admin.models import ADDITION, LogEntry

    client = signed_in(leader)
    fetch(client, "/groups/cotham/roster/")
    LogEntry.objects.create(user=leader, action_flag=ADDITION, object_repr="elsewhere")

    count, _ = fetch(client, "/groups/cotham/roster/")

    assert count == 0  # the person, their roles and the page: each compared table by table


# What serving a kept page costs


def cache_reads(monkeypatch) -> list[str]:
    """The reads of the cache from now on (each one round trip to Redis), by method."""
    from django.core.cache import caches

    reads, inside = [], []  # a read made inside another (locmem's get_many gets) is not counted
    backend = type(caches["default"])
    for name in ("get", "get_many", "has_key"):
        method = getattr(backend, name)

        def counted(self, *args, _name=name, _method=method, **kwargs):
            if not inside:
                reads.append(_name)
            inside.append(_name)
            try:
                return _method(self, *args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, name, counted)
    return reads


def test_a_kept_page_costs_a_signed_in_person_one_read_of_the_cache(
    leader, member, group, monkeypatch
):
    client = signed_in(leader)
    fetch(client, "/groups/cotham/roster/")
    reads = cache_reads(monkeypatch)

    count, page = fetch(client, "/groups/cotham/roster/")

    assert count == 0
    assert "Dr Mo Member" in page
    # The session, the page and the version of ANY together.
    assert reads == ["get_many"]


def test_negative_control_without_reading_the_session_ahead_it_is_a_read_of_its_own(
    leader, member, group, monkeypatch
):
    monkeypatch.setattr(changes.Versions, "expect", lambda self, *keys: None)
    client = signed_in(leader)
    fetch(client, "/groups/cotham/roster/")
    reads = cache_reads(monkeypatch)

    fetch(client, "/groups/cotham/roster/")

    assert reads == ["get_many", "get"]


def test_a_session_that_no_longer_signs_its_person_in_is_never_served_their_page(leader, group):
    from django.contrib.auth import HASH_SESSION_KEY

    client = signed_in(leader)
    _, as_leader = fetch(client, "/groups/cotham/")
    assert "/accounts/logout/" in as_leader
    # The session still names the leader, under the same key; but it no longer signs them in
    # (its password hash is wrong), and no table has changed: only what the session holds
    # tells the two requests apart.
    session = client.session
    session[HASH_SESSION_KEY] = "not-their-password"
    session.save()

    _, page = fetch(client, "/groups/cotham/")

    assert "/accounts/logout/" not in page
    assert 'href="/accounts/login/' in page


def test_a_kept_page_is_sent_without_the_templates_indentation_but_as_it_reads(leader, group):
    html = (
        b'<ul>\n    <li>One</li>\n\n    <li>Two <a href="/x">and\n      three</a></li>\n</ul>\n'
        b'<textarea name="note">\n  indented\n    more</textarea>\n  <PRE>a\n   b</PRE>\n'
    )

    assert page_cache.compact(html) == (
        b'<ul>\n<li>One</li>\n<li>Two <a href="/x">and\nthree</a></li>\n</ul>\n'
        b'<textarea name="note">\n  indented\n    more</textarea>\n<PRE>a\n   b</PRE>\n'
    )
    _, first = fetch(signed_in(leader), "/groups/cotham/roster/")
    assert "\n  " not in first.split("<textarea")[0]


# Sent compressed


def fetch_gzipped(client: Client, path: str):
    """The number of queries the request ran, and the response, asking for gzip."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200, response.status_code
    return len(queries), response


def test_a_browser_that_accepts_gzip_is_sent_the_kept_page_compressed_once(leader, member, group):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    _, plain = fetch(client, "/groups/cotham/roster/")  # and the browser has its CSRF cookie
    rendered, first = fetch_gzipped(client, "/groups/cotham/roster/")

    count, kept = fetch_gzipped(client, "/groups/cotham/roster/")

    assert rendered > 0 and count == 0
    assert kept["Content-Encoding"] == "gzip" and first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in kept["Vary"]
    assert int(kept["Content-Length"]) == len(kept.content) < len(plain.encode()) / 2
    page = gzip.decompress(kept.content).decode()
    assert without_tokens(page) == without_tokens(plain)
    assert first.cookies["csrftoken"].value == client.cookies["csrftoken"].value
    membership = Membership.objects.get(person=member)
    response = client.post(
        f"/groups/cotham/roster/{membership.pk}/remove/",
        {"csrfmiddlewaretoken": csrf_token_in(page), "ended_on": "soon"},
    )
    assert response.status_code == 302  # the compressed page's token passes the CSRF check


def test_a_compressed_page_is_kept_for_one_browsers_csrf_cookie(leader, member, group):
    desktop = Client(enforce_csrf_checks=True)
    desktop.force_login(leader)
    fetch(desktop, "/groups/cotham/roster/")
    fetch_gzipped(desktop, "/groups/cotham/roster/")
    other = Client(enforce_csrf_checks=True)
    other.cookies = desktop.cookies.__class__(desktop.cookies)  # the same session...
    other.cookies["csrftoken"] = "b" * 32  # ...with a CSRF cookie of its own

    count, response = fetch_gzipped(other, "/groups/cotham/roster/")

    assert count > 0  # rendered for it, not the desktop's page with the desktop's token
    page = gzip.decompress(response.content).decode()
    membership = Membership.objects.get(person=member)
    posted = other.post(
        f"/groups/cotham/roster/{membership.pk}/remove/",
        {"csrfmiddlewaretoken": csrf_token_in(page), "ended_on": "soon"},
    )
    assert posted.status_code == 302


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/groups/cotham/roster/?sort=name", "gzip"),  # a query: BREACH
        ("/groups/cotham/roster/", "identity"),
        ("/groups/cotham/roster/", ""),
    ],
)
def test_a_page_is_sent_uncompressed_with_a_query_or_to_a_browser_that_does_not_ask(
    leader, group, path, accept
):
    client = signed_in(leader)
    for _ in range(2):  # rendered, then kept
        response = client.get(path, HTTP_ACCEPT_ENCODING=accept)

        assert response.status_code == 200
        assert "Content-Encoding" not in response
        assert "Accept-Encoding" in response["Vary"]
        assert "Dr Lena Leader" in response.content.decode()


# One render at a time


def slow_group_page(monkeypatch) -> list:
    """The group page, taking 0.3 s to render; returns the list its renders are counted in."""
    import time

    import groups.views.public as public

    renders, render = [], public.detail_context

    def slowly(*args, **kwargs):
        renders.append(1)
        time.sleep(0.3)
        return render(*args, **kwargs)

    monkeypatch.setattr(public, "detail_context", slowly)
    return renders


@pytest.mark.django_db(transaction=True)
def test_people_asking_for_a_page_being_rendered_wait_for_it(monkeypatch):
    BalintGroupFactory(slug="waited-for")
    renders = slow_group_page(monkeypatch)

    pages = at_once([lambda: Client().get("/groups/waited-for/")] * 3)

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert len(renders) == 1


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_waiting_each_renders_it(monkeypatch):
    monkeypatch.setattr(page_cache, "WAIT_SECONDS", 0)
    BalintGroupFactory(slug="waited-for")
    renders = slow_group_page(monkeypatch)

    pages = at_once([lambda: Client().get("/groups/waited-for/")] * 3)

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert len(renders) == 3


def test_sessions_kept_anywhere_but_the_default_cache_are_refused_at_start(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"

    with pytest.raises(ImproperlyConfigured, match="SESSION_ENGINE"):
        page_cache.PageCacheMiddleware(lambda request: None)
