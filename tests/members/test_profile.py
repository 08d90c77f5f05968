import pytest

pytestmark = pytest.mark.django_db


def test_profile_needs_a_signed_in_person(client):
    response = client.get("/me/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_person_changes_their_name_and_time_zone(client, stranger):
    client.force_login(stranger)

    response = client.post(
        "/me/profile/",
        {"display_name": "Dr Sid S.", "time_zone": "America/New_York", "reminders": "both"},
    )

    assert response.status_code == 302
    stranger.refresh_from_db()
    assert (stranger.display_name, stranger.time_zone) == ("Dr Sid S.", "America/New_York")
    assert stranger.reminder_hours == [24, 2]


def test_an_unknown_time_zone_is_refused_in_words(client, stranger):
    client.force_login(stranger)

    response = client.post(
        "/me/profile/", {"display_name": "Dr Sid", "time_zone": "Nowhere/Land", "reminders": "24h"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    stranger.refresh_from_db()
    assert stranger.time_zone == "Europe/London"
