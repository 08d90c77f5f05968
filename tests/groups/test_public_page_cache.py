"""Visitors' finder and group pages come from a short-lived cache (groups/views/cache.py);
a signed-in person's page never does, and a change to a group ends the cached pages at once."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groups.views.cache import PUBLIC_PAGE_SECONDS
from tests.factories import BalintGroupFactory

pytestmark = pytest.mark.django_db

ROOM = "Room 3, Cotham Health Centre"


def queries_for(client: Client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize(
    "path", ["/groups/", "/groups/?format=in_person&page=1", "/groups/cotham/"]
)
def test_a_visitor_gets_the_page_from_the_cache_the_second_time(client, group, leader, path):
    _, first = queries_for(client, path)

    count, second = queries_for(client, path)

    assert count == 0
    assert second == first


def test_a_search_for_words_is_not_cached(client, group):
    client.get("/groups/?q=Cotham")

    count, _ = queries_for(client, "/groups/?q=Cotham")

    assert count > 0


def test_a_change_to_a_group_shows_at_once(client, group):
    client.get("/groups/cotham/")
    client.get("/groups/")
    group.description = "We now meet on Thursdays."
    group.save()
    BalintGroupFactory(name="Clifton Balint group", slug="clifton")

    assert "We now meet on Thursdays." in client.get("/groups/cotham/").content.decode()
    assert "Clifton Balint group" in client.get("/groups/").content.decode()


def test_a_members_page_is_never_cached_nor_served_from_the_cache(client_for, group, member):
    visitor = Client()
    visitor_page = visitor.get("/groups/cotham/").content.decode()

    count, member_page = queries_for(client_for("member"), "/groups/cotham/")

    assert count > 0
    assert ROOM in member_page and "Dr Mo Member" in member_page
    assert ROOM not in visitor_page
    assert visitor.get("/groups/cotham/").content.decode() == visitor_page


def test_an_expired_page_is_rendered_again_by_one_visitor_while_the_rest_get_the_old_one(
    client, group, monkeypatch
):
    path = "/groups/cotham/"
    client.get(path)
    later = time.time() + PUBLIC_PAGE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    # Another request is rendering the page again right now.
    assert cache.add(f"public-pages:group:{group.slug}:refreshing", True, 10)

    count, _ = queries_for(client, path)
    assert count == 0  # served the old page meanwhile

    cache.delete(f"public-pages:group:{group.slug}:refreshing")
    count, _ = queries_for(client, path)
    assert count > 0  # this visitor renders it again
    count, _ = queries_for(client, path)
    assert count == 0  # and it is fresh for everyone after
