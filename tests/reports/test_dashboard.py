"""The programme dashboard: what it shows, its filters, its charts, and a query count that does
not grow with the number of trainees."""

import importlib
import re
from itertools import count

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sessions.meetings.models import AttendanceStatus
from sessions.reports.charts import distribution_chart, rate_chart
from tests.factories import BalintGroupFactory, MembershipFactory
from tests.reports.conftest import days_ago, held_meeting
from tests.reports.factories import CohortFactory, EnrolmentFactory, mark
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

serial = count(100, 20)  # the first numbers of more paged groups, never the same twice


@pytest.fixture
def dashboard(client_for, programme):
    def get(query: str = ""):
        return client_for("programme_admin").get(f"/programmes/{programme.slug}/{query}")

    return get


def test_the_dashboard_shows_groups_cohorts_and_each_trainees_attendance(
    dashboard, cohort, trainee, group, leader
):
    first, second = held_meeting(group, 14), held_meeting(group, 7)
    mark(first, trainee, AttendanceStatus.PRESENT, presented=True, by=leader)
    mark(second, trainee, AttendanceStatus.APOLOGIES, by=leader)
    upcoming = MeetingFactory(group=group)

    response = dashboard()

    page = response.content.decode()
    assert response.status_code == 200
    assert "Cotham GP Balint Group" in page and "1 of 10" in page  # size
    assert f"{timezone.localtime(upcoming.starts_at):%-d %b %Y, %H:%M}" in page  # next meeting
    assert "50%" in page and "(1 of 2)" in page  # the group's attendance rate
    assert cohort.name in page and "Dr Mo Member" in page
    assert "No (50% of 75%)" in page  # meets the requirement so far
    # Two charts, each drawn wide and narrow (CSS shows one per screen size).
    assert page.count('<svg class="chart chart-wide"') == 2
    assert page.count('<svg class="chart chart-narrow"') == 2 and "<table" in page
    assert "style=" not in page  # the Content-Security-Policy forbids inline styles


def test_filters_narrow_the_dashboard_and_bad_ones_are_reported(
    dashboard, programme, cohort, trainee, group
):
    other = CohortFactory(programme=programme, name="Another block")

    page = dashboard(f"?cohort={cohort.pk}").content.decode()
    assert f'id="cohort-{cohort.pk}-title"' in page  # the option list names both; the panels not
    assert f'id="cohort-{other.pk}-title"' not in page
    for query in ["?start=2026-10-10&end=2026-01-01", "?start=garbage", "?cohort=abc", "?group=x"]:
        response = dashboard(query)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    reversed_dates = dashboard("?start=2026-10-10&end=2026-01-01").content.decode()
    assert "The end date cannot be before the start date." in reversed_dates


def test_the_group_filter_shows_one_group(dashboard, programme, group):
    second = BalintGroupFactory(programme=programme, name="Second group")

    page = dashboard(f"?group={group.slug}").content.decode()

    assert f">{group.name}</a>" in page and f">{second.name}</a>" not in page


def test_the_rate_chart_draws_one_point_per_meeting_with_its_table():
    chart = rate_chart(title="T", points=[("2026-09-01", 3, 4), ("2026-09-08", 4, 4)])
    assert [row for row in chart.rows] == [
        ("2026-09-01", "75% (3 of 4)"),
        ("2026-09-08", "100% (4 of 4)"),
    ]
    assert len(chart.marks) == 2 and chart.line.count(",") == 2
    assert chart.marks[1].y < chart.marks[0].y  # higher rate, higher on the page


def test_charts_have_a_phone_drawing_whose_labels_stay_readable_and_inside():
    points = [(f"2026-09-{day:02d}", 3, 4) for day in range(1, 29)]
    chart = rate_chart(title="T", points=points)
    narrow = chart.narrow

    # Drawn as many units wide as a phone has pixels: an 11-unit label stays about 11 px tall.
    assert (chart.width, narrow.width) == (800, 360)
    assert narrow.rows == chart.rows  # the same numbers
    shown = [mark for mark in narrow.marks if mark.show_label]
    assert 2 <= len(shown) <= 4 and shown[-1].label == "2026-09-28"
    # The first and last dates are anchored inside the drawing, not centred over its edges.
    assert (shown[0].anchor, shown[-1].anchor) == ("start", "end")
    assert [m.anchor for m in chart.marks if m.show_label][-1] == "end"
    bands = distribution_chart(title="T", bands=[("Under 50%", 1), ("90–100%", 3)]).narrow
    assert bands.width == 360 and [m.label for m in bands.marks] == ["<50%", "90–100%"]


def test_the_distribution_chart_counts_trainees_per_band():
    chart = distribution_chart(title="T", bands=[("Under 50%", 1), ("90–100%", 3)])
    assert chart.rows == [("Under 50%", "1"), ("90–100%", "3")]
    assert chart.marks[1].height > chart.marks[0].height
    assert distribution_chart(title="T", bands=[("Under 50%", 0)]).is_empty


def add_trainees(cohort, group, meetings, count: int, leader) -> None:
    # Factories, not the placement service: a query count test needs more than one group holds.
    for _ in range(count):
        person = MembershipFactory(group=group, joined_at=days_ago(100)).person
        EnrolmentFactory(cohort=cohort, person=person)
        for meeting in meetings:
            mark(meeting, person, AttendanceStatus.PRESENT, by=leader)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_10_and_50_trainees(
    client_for, programme, cohort, group, leader
):
    second_cohort = CohortFactory(programme=programme)
    second_cohort.placements.create(group=group)
    meetings = [held_meeting(group, days) for days in (21, 14, 7)]
    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/"
    add_trainees(cohort, group, meetings, 5, leader)
    add_trainees(second_cohort, group, meetings, 5, leader)
    with_10 = queries_for(client, url)

    add_trainees(cohort, group, meetings, 20, leader)
    add_trainees(second_cohort, group, meetings, 20, leader)
    with_50 = queries_for(client, url)

    assert with_10 == with_50


@pytest.fixture
def small_pages(monkeypatch):
    """Three groups a page, so a few groups make several pages."""
    monkeypatch.setattr("sessions.reports.dashboard.PAGE_SIZE", 3)


def named_groups(programme, count: int, first: int = 0) -> list:
    return [
        BalintGroupFactory(programme=programme, name=f"Paged group {i:02d}", slug=f"paged-{i:02d}")
        for i in range(first, first + count)
    ]


def group_links(page: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Group"><a href="[^"]*">([^<]*)</a>', page)


def test_the_groups_are_shown_a_page_at_a_time_in_name_order(dashboard, programme, small_pages):
    groups = named_groups(programme, 7)
    first, second, third = (dashboard(f"?page={n}").content.decode() for n in (1, 2, 3))

    assert group_links(first) == [g.name for g in groups[:3]]
    assert group_links(second) == [g.name for g in groups[3:6]]
    assert group_links(third) == [groups[6].name]
    # Only the page's groups have their charts.
    assert second.count('<figcaption id="group-chart-') == 3
    # How many there are and which page this is; the header counts them all.
    assert "7 groups · page 2 of 3, groups 4 to 6" in second
    assert "7 groups · 0 cohorts" in second
    assert '<nav class="pagination" aria-label="Pages of groups">' in second
    assert '<span aria-current="page">2</span>' in second


def test_the_page_links_keep_the_filters_and_the_exports_leave_the_page_out(
    dashboard, programme, cohort, group, small_pages
):
    for other in named_groups(programme, 4):
        cohort.placements.create(group=other)
    named_groups(programme, 3, first=10)  # not in the cohort: filtered out

    page = dashboard(f"?cohort={cohort.pk}&start=2020-01-01&page=2").content.decode()

    assert "5 groups · page 2 of 2" in page
    previous = re.search(r'<a href="([^"]*)" rel="prev">', page).group(1)
    assert previous == f"?cohort={cohort.pk}&amp;start=2020-01-01&amp;page=1#groups-title"
    # The form is bound to the filters only, so a page alone does not count as filtering.
    assert f"attendance.csv?cohort={cohort.pk}&amp;start=2020-01-01" + '"' in page
    assert "page=2" not in page.split('id="exports-title"')[1].split("</section>")[0]
    unfiltered = dashboard("?page=2").content.decode()
    assert "There is a problem" not in unfiltered and ">Clear</a>" not in unfiltered


@pytest.mark.parametrize(
    "junk, shown",
    [
        *[(junk, "first") for junk in ("abc", "1.5", "", "2&page=x")],
        *[(junk, "last") for junk in ("0", "-1", "99999999999999999999")],
    ],
)
def test_a_junk_page_shows_the_first_and_one_out_of_range_the_last(
    dashboard, programme, small_pages, junk, shown
):
    """As the group finder: Paginator.get_page, never a 500."""
    groups = named_groups(programme, 5)

    response = dashboard(f"?page={junk}")

    assert response.status_code == 200
    expected = groups[:3] if shown == "first" else groups[3:]
    assert group_links(response.content.decode()) == [g.name for g in expected]


def test_the_dashboard_costs_the_same_queries_for_4_and_12_groups_of_a_page_of_3(
    client_for, programme, cohort, leader, small_pages
):
    def add_groups(count: int) -> None:
        for group in named_groups(programme, count, first=next(serial)):
            cohort.placements.create(group=group)
            meeting = held_meeting(group, 7)
            MeetingFactory(group=group)  # the next meeting
            add_trainees(cohort, group, [meeting], 2, leader)

    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/?page=2"
    add_groups(4)
    cache.clear()
    with_4 = queries_for(client, url)

    add_groups(8)
    cache.clear()
    with_12 = queries_for(client, url)

    assert with_4 == with_12


def test_a_big_cohort_is_summed_up_and_its_trainees_listed_on_its_own_page(
    dashboard, programme, cohort, trainee, monkeypatch
):
    monkeypatch.setattr("sessions.reports.dashboard.TRAINEES_LISTED", 1)
    monkeypatch.setattr("sessions.reports.dashboard.GROUPS_NAMED", 1)
    other = BalintGroupFactory(programme=programme, name="Another group", slug="another")
    cohort.placements.create(group=other)
    EnrolmentFactory(cohort=cohort)

    page = dashboard().content.decode()

    assert "Its 2 trainees are listed on" in page
    assert f'href="/programmes/{programme.slug}/cohorts/{cohort.pk}/">the cohort’s page' in page
    assert "Dr Mo Member" not in page  # no trainee table
    assert " and 1 more · Feedback" in page
    assert "of 2 meet it so far" in page  # the summary still counts every trainee


def test_a_cohort_of_a_readable_size_lists_its_trainees(dashboard, cohort, trainee, monkeypatch):
    monkeypatch.setattr("sessions.reports.dashboard.TRAINEES_LISTED", 1)

    page = dashboard().content.decode()

    assert "Dr Mo Member" in page
    assert "trainees are listed on" not in page


# The cohorts' tallies, kept between renders


def counted_calls(monkeypatch, module, name: str) -> list:
    calls, function = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return function(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.fixture
def signed_in_dashboard(client_for, programme):
    """The dashboard, asked for by one signed-in client (signing in again writes last_login,
    a change the tallies would rightly be worked out again for)."""
    client = client_for("programme_admin")
    return lambda query="": client.get(f"/programmes/{programme.slug}/{query}")


def test_the_cohorts_tallies_are_worked_out_once_while_nothing_changes(
    signed_in_dashboard, cohort, trainee, group, leader, monkeypatch
):
    dashboard = signed_in_dashboard
    from sessions.reports import summary

    mark(held_meeting(group, 7), trainee, AttendanceStatus.PRESENT, by=leader)
    calls = counted_calls(monkeypatch, summary, "cohort_reports")

    first = dashboard().content.decode()
    again = dashboard("?page=1").content.decode()  # another address: the page is rendered again

    assert len(calls) == 1
    assert "Yes (100%)" in first and "Yes (100%)" in again
    # What is kept of each trainee (not their whole account): what their row shows.
    for page in (first, again):
        assert trainee.display_name in page and trainee.email in page


def test_a_new_mark_is_counted_at_once(
    signed_in_dashboard, cohort, trainee, group, leader, monkeypatch
):
    from sessions.reports import summary

    dashboard = signed_in_dashboard
    held = held_meeting(group, 7)
    calls = counted_calls(monkeypatch, summary, "cohort_reports")
    assert "No (0% of 75%)" in dashboard().content.decode()  # held, and no register yet

    mark(held, trainee, AttendanceStatus.PRESENT, by=leader)

    assert "Yes (100%)" in dashboard("?page=1").content.decode()
    assert len(calls) == 2


def clock_moved_on(monkeypatch, minutes: int) -> None:
    later = timezone.now() + timezone.timedelta(minutes=minutes)
    monkeypatch.setattr(timezone, "now", lambda: later)


def a_meeting_about_to_start(dashboard, trainee, group, leader):
    """The trainee was present at the one meeting held; another starts in five minutes."""
    mark(held_meeting(group, 7), trainee, AttendanceStatus.PRESENT, by=leader)
    MeetingFactory(group=group, starts_at=timezone.now() + timezone.timedelta(minutes=5))
    assert "Yes (100%)" in dashboard().content.decode()


def test_a_meeting_that_has_started_is_counted_at_once(
    signed_in_dashboard, cohort, trainee, group, leader, monkeypatch
):
    dashboard = signed_in_dashboard
    a_meeting_about_to_start(dashboard, trainee, group, leader)

    clock_moved_on(monkeypatch, 10)

    # Held, and no register yet: it counts against the requirement until it has one.
    assert "No (50% of 75%)" in dashboard().content.decode()


@pytest.mark.parametrize(
    "module, kept_by",
    [
        # The cohorts' tallies kept whatever the clock says (the page is rendered again).
        ("sessions.reports.summary", "_last_started"),
        # The page itself kept whatever the clock says.
        ("sessions.reports.views.programmes", "next_to_start"),
    ],
)
def test_negative_control_kept_regardless_of_the_clock_a_started_meeting_is_missed(
    signed_in_dashboard, cohort, trainee, group, leader, monkeypatch, module, kept_by
):
    dashboard = signed_in_dashboard
    monkeypatch.setattr(importlib.import_module(module), kept_by, lambda now: None)
    a_meeting_about_to_start(dashboard, trainee, group, leader)

    clock_moved_on(monkeypatch, 10)

    # What test_a_meeting_that_has_started_is_counted_at_once catches.
    assert "Yes (100%)" in dashboard().content.decode()


# The page itself, kept until the next meeting starts rather than for a minute


def test_the_dashboard_is_kept_past_its_minute_while_no_meeting_starts(
    signed_in_dashboard, cohort, trainee, group, leader, monkeypatch
):
    dashboard = signed_in_dashboard
    a_meeting_about_to_start(dashboard, trainee, group, leader)  # in five minutes
    clock_moved_on(monkeypatch, 3)

    with CaptureQueriesContext(connection) as queries:
        page = dashboard().content.decode()

    assert len(queries) == 0  # served as kept three minutes ago
    assert "Yes (100%)" in page
