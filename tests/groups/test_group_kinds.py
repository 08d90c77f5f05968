"""Groups beyond the UK and beyond GPs: countries and regions, professions kept by staff in the
site, a US group meeting on the 2nd and 4th Thursday, and the finder's new filters."""

import importlib
from datetime import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balint.audit.models import AuditEvent
from groups import places
from groups.finder_zones import zones_within
from groups.models import Audience, BalintGroup
from sessions.meetings.models import Meeting
from tests.conftest import PERSONAS
from tests.factories import BalintGroupFactory, LeadershipFactory, UserFactory
from tests.groups.conftest import fill

pytestmark = pytest.mark.django_db

FIVE = ["gp-trainees", "gps", "psychiatry-trainees", "medical-students", "multi-professional"]
ADDED = ["physicians", "nurse-practitioners", "psychologists", "non-physician-clinicians"]


def run_the_migrations_data_steps() -> None:
    """The data the audience migrations write (0002's five, then 0007's professions), applied
    again: a test that flushes the database (transaction=True) removes migration data."""
    from django.apps import apps

    audiences = importlib.import_module("groups.migrations.0002_audiences")
    professions = importlib.import_module("groups.migrations.0007_professions_and_regions")
    audiences.add_audiences(apps, None)
    professions.forwards(apps, None)


@pytest.fixture(autouse=True)
def _audiences(db):
    if not Audience.objects.filter(slug__in=ADDED).exists():
        run_the_migrations_data_steps()


OK, LOGIN, FORBIDDEN = "ok", "login", 403
STAFF_ONLY = {**dict.fromkeys(PERSONAS, FORBIDDEN), "anonymous": LOGIN, "staff": OK}


# --- places -------------------------------------------------------------------------------


def test_the_lists_cover_the_uk_ireland_usa_canada_australia_and_new_zealand():
    assert {"GB", "IE", "US", "CA", "AU", "NZ"} <= set(places.REGIONS)
    assert places.region_name("us-oh") == "Ohio"
    assert places.country_of_region("us-oh") == "US"
    assert places.country_of_region("south_west") == "GB"
    assert places.region_name("nz-wgn") == "Wellington"
    keys = [key for regions in places.REGIONS.values() for key, _ in regions]
    assert len(keys) == len(set(keys)), "a region key belongs to one country only"


def test_existing_groups_are_in_the_uk_with_their_region_kept(group):
    group.refresh_from_db()
    assert group.country == "GB" and group.region == "south_west"
    assert group.get_region_display() == "South West England"
    assert group.where == "Bristol, South West England, United Kingdom"


def test_the_migration_adds_professions_after_the_five_audiences_and_keeps_uk_regions():
    Audience.objects.all().delete()
    uk = BalintGroupFactory(region="london")
    stray = BalintGroupFactory(region="somewhere-else")

    run_the_migrations_data_steps()
    run_the_migrations_data_steps()  # safe to run twice

    assert list(Audience.objects.values_list("slug", flat=True)) == FIVE + ADDED
    uk.refresh_from_db()
    stray.refresh_from_db()
    assert (uk.country, uk.region) == ("GB", "london")
    assert stray.region == ""


# --- a group's settings: country and region -----------------------------------------------

SETTINGS = {
    "name": "Cotham GP Balint Group",
    "description": "Monthly.",
    "format": "in_person",
    "town": "Columbus",
    "country": "US",
    "region": "us-oh",
    "time_zone": "America/New_York",
    "capacity": "10",
    "taster_seats": "2",
    "accepting_members": "on",
    "status": "active",
    "room": "Room 4",
    "meeting_link": "",
}


def test_a_leader_moves_the_group_to_ohio(client_for, group, leader):
    physicians = Audience.objects.get(slug="physicians")
    nps = Audience.objects.get(slug="nurse-practitioners")
    data = {**SETTINGS, "audiences": [physicians.pk, nps.pk]}

    response = client_for("leader").post("/groups/cotham/settings/", data)

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.country, group.region) == ("US", "us-oh")
    assert set(group.audiences.values_list("slug", flat=True)) == {
        "physicians",
        "nurse-practitioners",
    }
    assert group.place == "In person · Columbus, United States"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"region": "south_west"}, "region", "South West England is not in United States."),
        ({"region": "atlantis"}, "region", "Select a valid choice."),
        ({"country": "XX"}, "country", "Select a valid choice."),
        ({"country": "DE", "region": "us-oh"}, "region", "Ohio is not in Germany."),
    ],
)
def test_a_region_outside_the_country_is_a_form_error(
    client_for, group, leader, change, field, message
):
    response = client_for("leader").post("/groups/cotham/settings/", {**SETTINGS, **change})

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    group.refresh_from_db()
    assert group.country == "GB"


def test_a_country_without_a_list_has_no_region_and_names_its_town(client_for, group, leader):
    data = {**SETTINGS, "country": "DE", "region": "", "town": "Berlin"}

    assert client_for("leader").post("/groups/cotham/settings/", data).status_code == 302

    group.refresh_from_db()
    assert group.where == "Berlin, Germany"


def test_a_retired_profession_is_not_offered_but_a_group_keeps_it(client_for, group, leader):
    gps = Audience.objects.get(slug="gps")
    group.audiences.set([gps])
    gps.retired = True
    gps.save()
    psychologists = Audience.objects.get(slug="psychologists")
    psychologists.retired = True
    psychologists.save()

    form = client_for("leader").get("/groups/cotham/settings/").context["form"]

    offered = set(form.fields["audiences"].queryset)
    assert gps in offered and psychologists not in offered
    finder_form = client_for("leader").get("/groups/").context["form"]
    assert gps not in set(finder_form.fields["audience"].queryset)


# --- staff keep the list of professions -----------------------------------------------------

AUDIENCE_PAGES = [
    ("get", "/staff/who-groups-are-for/", {}),
    ("post", "/staff/who-groups-are-for/", {"name": "Pharmacists"}),
    ("get", "/staff/who-groups-are-for/{pk}/rename/", {}),
    ("post", "/staff/who-groups-are-for/{pk}/rename/", {"name": "Family physicians"}),
    ("post", "/staff/who-groups-are-for/{pk}/move/", {"direction": "down"}),
    ("post", "/staff/who-groups-are-for/{pk}/retire/", {"retired": "true"}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path", "data"), AUDIENCE_PAGES)
def test_only_staff_keep_who_groups_are_for(
    client_for, group, leader, member, programme_admin, staff, persona, method, path, data
):
    audience = Audience.objects.get(slug="physicians")
    before = list(Audience.objects.values_list("pk", "name", "position", "retired"))
    url = path.format(pk=audience.pk)

    response = getattr(client_for(persona), method)(url, data)

    expected = STAFF_ONLY[persona]
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == FORBIDDEN:
        assert response.status_code == 403
    else:
        assert response.status_code == (200 if method == "get" else 302)
    if expected != OK:
        assert list(Audience.objects.values_list("pk", "name", "position", "retired")) == before


def test_staff_add_rename_reorder_and_retire(client_for, staff):
    client = client_for("staff")

    client.post("/staff/who-groups-are-for/", {"name": "  Nurse   educators "})
    added = Audience.objects.get(name="Nurse educators")
    assert added.slug == "nurse-educators"
    assert added.position == Audience.objects.exclude(pk=added.pk).count()  # at the end

    client.post(f"/staff/who-groups-are-for/{added.pk}/rename/", {"name": "Nurse tutors"})
    client.post(f"/staff/who-groups-are-for/{added.pk}/move/", {"direction": "up"})
    names = list(Audience.objects.order_by("position").values_list("name", flat=True))
    assert names[-2:] == ["Nurse tutors", "Non-physician clinicians"]

    first = Audience.objects.order_by("position").first()
    client.post(f"/staff/who-groups-are-for/{first.pk}/move/", {"direction": "up"})
    assert Audience.objects.order_by("position").first() == first  # nothing above the top

    client.post(f"/staff/who-groups-are-for/{added.pk}/retire/", {"retired": "true"})
    assert Audience.objects.get(pk=added.pk).retired
    client.post(f"/staff/who-groups-are-for/{added.pk}/retire/", {"retired": "false"})
    assert not Audience.objects.get(pk=added.pk).retired
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"audience.add", "audience.rename", "audience.move", "audience.retire"} <= actions


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name."),
        ("   ", "Enter a name."),
        ("x" * 61, "Use 60 characters or fewer."),
        ("gps", "“gps” is already on the list."),
    ],
)
def test_a_bad_name_is_a_form_error(client_for, staff, name, message):
    count = Audience.objects.count()

    response = client_for("staff").post("/staff/who-groups-are-for/", {"name": name})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Audience.objects.count() == count


def test_renaming_to_a_taken_name_is_a_form_error(client_for, staff):
    gps = Audience.objects.get(slug="gps")

    response = client_for("staff").post(
        f"/staff/who-groups-are-for/{gps.pk}/rename/", {"name": "Medical students"}
    )

    assert response.status_code == 400
    assert "is already on the list" in response.content.decode()
    assert Audience.objects.get(pk=gps.pk).name == "GPs"


def test_an_unknown_entry_is_404_for_staff(client_for, staff):
    assert client_for("staff").post("/staff/who-groups-are-for/9999/move/").status_code == 404


# --- a US group: Ohio, physicians and nurse practitioners, 2nd and 4th Thursday -------------


def test_a_us_group_meets_on_the_2nd_and_4th_thursday(client_for, staff):
    lead = UserFactory(display_name="Dr Ada Facilitator", email="ada@example.org")
    co = UserFactory(display_name="Dr Bo Facilitator", email="bo@example.org")
    client = client_for("staff")
    physicians = Audience.objects.get(slug="physicians")
    nps = Audience.objects.get(slug="nurse-practitioners")
    response = client.post(
        "/groups/new/",
        {
            **SETTINGS,
            "name": "Riverside Health Balint Group",
            "slug": "riverside-ohio",
            "audiences": [physicians.pk, nps.pk],
            "leader_emails": "ada@example.org\nbo@example.org",
        },
    )
    assert response.status_code == 302
    group = BalintGroup.objects.get(slug="riverside-ohio")
    assert group.leaderships.count() == 2

    client.force_login(lead)
    response = client.post(
        "/meetings/groups/riverside-ohio/schedule/",
        {
            "frequency": "twice_monthly",
            "weekday": "3",
            "week_of_month": "2",
            "second_week_of_month": "4",
            "start_time": "12:15",
            "duration_minutes": "60",
            "start_date": timezone.localdate().isoformat(),
            "save": "1",
        },
    )
    assert response.status_code == 302, response.context["form"].errors

    meetings = list(Meeting.objects.filter(group=group).order_by("starts_at"))
    assert meetings
    for meeting in meetings:
        local = meeting.local_starts_at
        assert local.weekday() == 3 and (local.hour, local.minute) == (12, 15)
        assert (local.day - 1) // 7 + 1 in {2, 4}
    months = {(m.local_starts_at.year, m.local_starts_at.month) for m in meetings}
    full_months = [m for m in months if m != min(months) and m != max(months)]
    for year, month in full_months:
        in_month = [m for m in meetings if m.local_starts_at.timetuple()[:2] == (year, month)]
        assert len(in_month) == 2

    finder = client_for("anonymous")
    finder.logout()
    page = finder.get("/groups/?country=US&region=us-oh&audience=nurse-practitioners")
    assert [card.group.slug for card in page.context["cards"]] == ["riverside-ohio"]
    assert set(group.leaderships.values_list("person", flat=True)) == {lead.pk, co.pk}


# --- the finder -----------------------------------------------------------------------------


@pytest.fixture
def spread(db):
    """Groups across the world, online, each in its own time zone."""
    made = {}
    for slug, country, region, zone, audience in [
        ("london-online", "GB", "london", "Europe/London", "gps"),
        ("dublin-online", "IE", "ie-l", "Europe/Dublin", "gps"),
        ("ohio-online", "US", "us-oh", "America/New_York", "physicians"),
        ("bay-online", "US", "us-ca", "America/Los_Angeles", "nurse-practitioners"),
        ("sydney-online", "AU", "au-nsw", "Australia/Sydney", "psychologists"),
    ]:
        made[slug] = BalintGroupFactory(
            slug=slug,
            format="online",
            country=country,
            region=region,
            time_zone=zone,
            audiences=[audience],
        )
    return made


def slugs(response) -> set[str]:
    return {card.group.slug for card in response.context["cards"]}


def test_the_finder_filters_by_country_region_and_profession(client, spread):
    assert slugs(client.get("/groups/?country=US")) == {"ohio-online", "bay-online"}
    assert slugs(client.get("/groups/?region=us-ca")) == {"bay-online"}
    assert slugs(client.get("/groups/?audience=psychologists")) == {"sydney-online"}
    assert slugs(client.get("/groups/?country=IE&audience=gps")) == {"dublin-online"}


def test_the_finder_filters_by_time_difference_from_the_visitors_chosen_zone(client, spread):
    near_london = slugs(client.get("/groups/?hours=1&my_zone=Europe/London"))
    assert near_london == {"london-online", "dublin-online"}
    near_chicago = slugs(client.get("/groups/?hours=1&my_zone=America/Chicago"))
    assert near_chicago == {"ohio-online"}
    assert slugs(client.get("/groups/?hours=3&my_zone=America/Chicago")) == {
        "ohio-online",
        "bay-online",
    }


def test_a_signed_in_viewer_is_measured_from_their_profile_zone(client, spread):
    person = UserFactory(time_zone="Australia/Brisbane")
    client.force_login(person)

    assert slugs(client.get("/groups/?hours=1")) == {"sydney-online"}


def test_zones_within_compares_offsets_on_the_day():
    summer = datetime(2026, 7, 1, 12, tzinfo=timezone.UTC)
    winter = datetime(2026, 1, 15, 12, tzinfo=timezone.UTC)
    # Brisbane keeps UTC+10; Sydney is +10 in July and +11 in January.
    assert "Australia/Sydney" in zones_within(0, "Australia/Brisbane", now=summer)
    assert "Australia/Sydney" not in zones_within(0, "Australia/Brisbane", now=winter)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("country=ZZ", "country"),
        ("region=atlantis", "region"),
        ("hours=99", "hours"),
        ("hours=soon", "hours"),
        ("my_zone=Mars/Olympus", "my_zone"),
    ],
)
def test_a_bad_finder_value_is_reported_and_left_out(client, spread, query, field):
    response = client.get(f"/groups/?{query}")

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "This filter was left out." in response.content.decode()
    assert len(slugs(response)) == 5


def build_groups(count: int) -> None:
    for _ in range(count):
        group = BalintGroupFactory(
            format="online",
            country="US",
            region="us-oh",
            time_zone="America/New_York",
            audiences=["physicians", "nurse-practitioners"],
        )
        LeadershipFactory(group=group)
        LeadershipFactory(group=group, role="co_leader")
        fill(group, 2)


def queries(client, path: str) -> int:
    client.get(path)  # warm up per-process caches
    cache.clear()  # and measure with the visitors' page cache cold
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    assert len(captured) > 0, "measured a cached page"
    return len(captured)


@pytest.mark.parametrize("persona", ["anonymous", "stranger"])
def test_the_new_filters_make_as_many_queries_for_60_groups_as_for_3(client_for, persona):
    client = client_for(persona)
    path = "/groups/?country=US&region=us-oh&audience=physicians&hours=2&my_zone=America/Chicago"
    build_groups(3)
    with_three = queries(client, path)

    build_groups(57)

    response = client.get(path)
    assert response.context["page"].paginator.count == 60
    assert queries(client, path) == with_three
