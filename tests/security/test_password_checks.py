"""Every check of a signed-in person's password has a limit on tries (issue 17, finding 6): someone
who finds a session open must not be able to guess the password behind it. Closing an account
used to answer 25 wrong passwords in 21 seconds."""

import pytest
from django.urls import reverse

from members.models import User
from members.passwords import TOO_MANY_TRIES
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TRIES = 10  # ACCOUNT_RATE_LIMITS["check_password"]: 10 in 15 minutes, per person


def close_account(client, password: str):
    return client.post(reverse("personal_data:close"), {"password": password})


def test_the_eleventh_wrong_password_for_closing_an_account_is_refused_in_words(client):
    person = UserFactory()
    client.force_login(person)
    for _ in range(TRIES):
        response = close_account(client, "guess")
        assert response.status_code == 200
        assert "That password is not right." in response.text

    response = close_account(client, "guess")

    assert "Too many tries with the wrong password" in response.text
    assert "That password is not right." not in response.text
    # Not even the right password gets through now: the guesser cannot tell it was right.
    assert "Too many tries" in close_account(client, PASSWORD).text
    person.refresh_from_db()
    assert person.is_active and person.has_usable_password()


def test_the_limit_is_the_persons_own_and_another_person_closes_their_account(
    client, django_client
):
    guesser = UserFactory()
    client.force_login(guesser)
    for _ in range(TRIES + 1):
        close_account(client, "guess")
    assert "Too many tries" in close_account(client, "guess").text

    other = UserFactory()
    django_client.force_login(other)
    response = close_account(django_client, PASSWORD)

    assert response.status_code == 302
    other.refresh_from_db()
    assert not other.has_usable_password()  # closed: its name and addresses erased


def test_a_second_session_of_the_same_person_shares_the_limit(client, django_client):
    person = UserFactory()
    client.force_login(person)
    django_client.force_login(person)
    for _ in range(TRIES):
        close_account(client, "guess")

    response = close_account(django_client, "guess")

    assert "Too many tries" in response.text


def test_the_message_is_british_english_and_says_what_to_do():
    assert TOO_MANY_TRIES == (
        "Too many tries with the wrong password. For your safety, please wait 15 minutes and "
        "try again."
    )


# The password checks allauth makes for a signed-in person have limits of their own
# (ACCOUNT_RATE_LIMITS): confirming the password again, and changing it.


def test_confirming_the_password_again_is_limited(client):
    client.force_login(UserFactory())
    statuses = [
        client.post("/accounts/reauthenticate/", {"password": "guess"}).status_code
        for _ in range(11)
    ]

    assert statuses == [200] * 10 + [429]


def test_changing_the_password_is_limited(client):
    person = UserFactory()
    client.force_login(person)
    data = {"oldpassword": "guess", "password1": "a new long passphrase", "password2": "x"}
    statuses = [client.post("/accounts/password/change/", data).status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)
