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


# A name is one line of printable text. A line break broke the
# calendar feed; a control character before `=` hid a formula from the export's neutraliser.
CONTROL_CHARACTER_NAMES = [
    "Dr Sid\r\nX-INJECTED:1",
    "Dr Sid\nStranger",
    '\x01=HYPERLINK("http://evil.example","Click")',
    "Dr\tSid",
    "Dr Sid\x1b[31m",
    "Dr\x85Sid",  # NEL, a C1 line break (NUL Django refuses itself)
    "Dr Sid\u2028Stranger",  # line separator
    "Dr \u202eSid",  # right-to-left override: reads as another name
]


@pytest.mark.parametrize("name", CONTROL_CHARACTER_NAMES)
def test_a_name_with_a_control_character_is_refused_in_words(client, stranger, name):
    client.force_login(stranger)

    response = client.post(
        "/me/profile/", {"display_name": name, "time_zone": "Europe/London", "reminders": "24h"}
    )

    assert response.status_code == 200
    assert "Your name cannot contain line breaks, tabs or other invisible control" in response.text
    stranger.refresh_from_db()
    assert stranger.display_name == "Dr Sid Stranger"


@pytest.mark.parametrize(
    "name", ["Dr Siân O’Brien-Ng", "د. سارا", "Dr 山田 花子", "Dr Sam 👩\u200d⚕️", "Dr Sid (he/him)"]
)
def test_names_in_any_script_with_joiners_and_punctuation_are_kept(client, stranger, name):
    client.force_login(stranger)

    response = client.post(
        "/me/profile/", {"display_name": name, "time_zone": "Europe/London", "reminders": "24h"}
    )

    assert response.status_code == 302
    stranger.refresh_from_db()
    assert stranger.display_name == name


def test_the_model_refuses_a_control_character_too(stranger):
    # The admin's forms and anything else that validates the model.
    from django.core.exceptions import ValidationError

    stranger.display_name = "Dr Sid\r\nStranger"
    with pytest.raises(ValidationError) as error:
        stranger.full_clean()
    assert "display_name" in error.value.message_dict
