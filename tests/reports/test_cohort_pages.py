"""The cohort pages: create a cohort, paste addresses (bad lines reported one by one, good ones
enrolled), place trainees in groups through the groups layer (capacity respected, person by
person), record a trainee leaving."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from groups.models import Membership, MembershipEvent, MembershipStatus
from sessions.programmes.models import Cohort, CohortPlacement, Enrolment, PendingEnrolment
from sessions.programmes.placement import PlacementError, place_trainees
from tests.factories import BalintGroupFactory, MembershipFactory, UserFactory
from tests.reports.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_admin_creates_a_cohort(client_for, programme):
    client = client_for("programme_admin")
    response = client.post(
        f"/programmes/{programme.slug}/cohorts/new/",
        {
            "name": "Block 3",
            "starts_on": "2026-09-01",
            "ends_on": "2026-10-31",
            "requirement": "meetings",
            "amount": "6",
            "apologies": "absence",
            "late_counts": "yes",
        },
    )
    cohort = Cohort.objects.get()
    assert response["Location"] == f"/programmes/{programme.slug}/cohorts/{cohort.pk}/"
    assert (cohort.required_meetings, cohort.required_percent) == (6, None)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"starts_on": "2026-10-31", "ends_on": "2026-09-01"}, "cannot be before the first day"),
        ({"requirement": "percent", "amount": "150"}, "cannot be more than 100"),
        ({"starts_on": "31/31/2026"}, "Enter a valid date"),
        ({"amount": "lots", "requirement": "neither"}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
        ({"apologies": "sometimes"}, "Select a valid choice"),
        ({"late_counts": ""}, "This field is required"),
    ],
)
def test_bad_cohort_forms_are_errors_not_500s(client_for, programme, data, error):
    base = {
        "name": "Block",
        "starts_on": "2026-09-01",
        "ends_on": "2026-10-31",
        "requirement": "percent",
        "amount": "75",
        "apologies": "absence",
        "late_counts": "yes",
    }
    response = client_for("programme_admin").post(
        f"/programmes/{programme.slug}/cohorts/new/", {**base, **data}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Cohort.objects.exists()


def test_pasted_addresses_enrol_the_good_lines_and_report_the_bad_ones(
    client_for, programme, cohort, member
):
    pasted = "\n".join(
        [
            "mo@example.org",
            "not an address",
            "",
            "Dr New <new.one@example.org>; second@example.org",
            "@example.org",
        ]
    )
    response = client_for("programme_admin").post(
        f"/programmes/{programme.slug}/cohorts/{cohort.pk}/enrol/",
        {"emails": pasted, "enrolled_on": cohort.starts_on.isoformat()},
    )

    assert response.status_code == 302
    messages = texts(response)
    assert "Line 2: “not an address” is not an email address." in messages
    assert "Line 5: “@example.org” is not an email address." in messages
    assert "3 invited; they join the cohort when they accept." in messages
    assert not Enrolment.objects.filter(cohort=cohort).exists()
    assert set(PendingEnrolment.objects.values_list("email", flat=True)) == {
        "mo@example.org",
        "new.one@example.org",
        "second@example.org",
    }


def test_nothing_pasted_or_a_date_outside_the_cohort_is_a_form_error(client_for, programme, cohort):
    url = f"/programmes/{programme.slug}/cohorts/{cohort.pk}/enrol/"
    client = client_for("programme_admin")
    empty = client.post(url, {"emails": "  \n ", "enrolled_on": "2026-01-01"})
    late = client.post(
        url,
        {"emails": "a@example.org", "enrolled_on": (cohort.ends_on + timedelta(1)).isoformat()},
    )
    assert empty.status_code == late.status_code == 200
    assert "This field is required" in empty.content.decode()
    assert "within the cohort" in late.content.decode()


@pytest.fixture
def trainees(cohort):
    return [EnrolmentFactory(cohort=cohort).person for _ in range(3)]


def test_placing_trainees_makes_them_members_through_the_groups_rules(
    client_for, programme, cohort, group, trainees
):
    second_group = BalintGroupFactory(programme=programme, name="Second")
    response = client_for("programme_admin").post(
        f"/programmes/{programme.slug}/cohorts/{cohort.pk}/place/",
        {"group": second_group.slug, "trainees": [p.email for p in trainees[:2]]},
    )

    assert response.status_code == 302
    placed = Membership.objects.filter(group=second_group, status=MembershipStatus.ACTIVE)
    assert {m.person for m in placed} == set(trainees[:2])
    assert MembershipEvent.objects.filter(membership__in=placed).count() == 2  # the history
    assert CohortPlacement.objects.filter(cohort=cohort, group=second_group).exists()
    assert any(message.startswith("Placed in Second:") for message in texts(response))


def test_a_full_group_refuses_each_person_who_does_not_fit(
    programme, cohort, trainees, programme_admin
):
    small = BalintGroupFactory(programme=programme, capacity=3)
    MembershipFactory(group=small)
    MembershipFactory(group=small)  # one place left

    report = place_trainees(
        cohort=cohort, group=small, emails=[p.email for p in trainees], by=programme_admin
    )

    assert report.placed == [f"{trainees[0].display_name} ({trainees[0].email})"]
    assert [reason for _, reason in report.refused] == [
        "The group is full (3 of 3 places are taken). Remove someone or raise the capacity first."
    ] * 2
    assert small.memberships.filter(status=MembershipStatus.ACTIVE).count() == 3


def test_placing_refuses_outsiders_and_other_programmes_groups(
    cohort, trainees, programme_admin, other_group
):
    with pytest.raises(PlacementError):
        place_trainees(cohort=cohort, group=other_group, emails=[], by=programme_admin)
    stranger = UserFactory()
    report = place_trainees(
        cohort=cohort,
        group=cohort.placements.get().group,
        emails=[stranger.email],
        by=programme_admin,
    )
    assert report.refused and not report.placed


def test_an_address_only_invited_is_not_placed_until_it_accepts(
    client_for, programme, cohort, group, programme_admin
):
    PendingEnrolment.objects.create(
        cohort=cohort, email="later@example.org", enrolled_on=cohort.starts_on
    )
    report = place_trainees(
        cohort=cohort, group=group, emails=["later@example.org"], by=programme_admin
    )
    assert report.refused == [("later@example.org", "is not a current trainee of this cohort.")]
    assert not group.invites.exists() and not report.invited


def test_garbage_placement_is_a_form_error(client_for, programme, cohort, trainees):
    response = client_for("programme_admin").post(
        f"/programmes/{programme.slug}/cohorts/{cohort.pk}/place/",
        {"group": "no-such-group", "trainees": ["x@example.org"]},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_cohort_page_links_to_placing_and_the_placing_page_lists_the_open_groups(
    client_for, programme, cohort, group, trainees
):
    client = client_for("programme_admin")
    cohort_page = client.get(f"/programmes/{programme.slug}/cohorts/{cohort.pk}/").content.decode()
    place_page = client.get(f"/programmes/{programme.slug}/cohorts/{cohort.pk}/place/")

    assert f'href="/programmes/{programme.slug}/cohorts/{cohort.pk}/place/"' in cohort_page
    assert "<select" not in cohort_page  # the groups' list is on the placing page only
    assert place_page.status_code == 200
    assert f'<option value="{group.slug}">' in place_page.content.decode()


def test_recording_that_a_trainee_left(client_for, programme, cohort, trainee):
    enrolment = Enrolment.objects.get(person=trainee)
    url = f"/programmes/{programme.slug}/cohorts/{cohort.pk}/enrolments/{enrolment.pk}/end/"
    client = client_for("programme_admin")

    bad = client.post(url, {"left_on": "yesterday"})
    too_late = client.post(url, {"left_on": (cohort.ends_on + timedelta(5)).isoformat()})
    good = client.post(url, {"left_on": timezone.localdate().isoformat()})

    assert bad.status_code == too_late.status_code == good.status_code == 302
    assert "after the cohort ends" in " ".join(texts(too_late))
    enrolment.refresh_from_db()
    assert enrolment.left_on == timezone.localdate()
    page = client.get(f"/programmes/{programme.slug}/cohorts/{cohort.pk}/").content.decode()
    assert "Left " in page
