"""Running programmes in the site: staff create them and appoint or remove their admins by
email (an address without an account becomes an admin when it signs up and proves it); a
programme's admins edit its details. Bad input is a form error in plain English, never a 500."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from balint.audit.models import Area, AuditEvent
from members.models import Programme, ProgrammeAdminInvitation, User
from members.programmes import (
    ProgrammeError,
    activate_admin_invitations,
    appoint_admin,
    create_programme,
)

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "new.admin@example.org",
    "display_name": "Nia Newadmin",
    "time_zone": "Europe/London",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_staff_create_a_programme_and_are_sent_to_appoint_its_admins(client_for, staff):
    response = client_for("staff").post(
        "/programmes/all/new/",
        {"name": "  Mersey   GP scheme ", "slug": "", "description": "GP trainees"},
    )

    programme = Programme.objects.get(slug="mersey-gp-scheme")
    assert programme.name == "Mersey GP scheme" and programme.description == "GP trainees"
    assert response["Location"] == "/programmes/mersey-gp-scheme/admins/"
    event = AuditEvent.objects.get(action="programme.create")
    assert (event.area, event.actor, event.where) == (Area.PROGRAMMES, staff, "Mersey GP scheme")
    listing = client_for("staff").get("/programmes/all/").content.decode()
    assert "Mersey GP scheme" in listing and "None yet" in listing


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Severn scheme"}, "There is already a programme called “Severn scheme”."),
        ({"name": "SEVERN SCHEME"}, "There is already a programme called “SEVERN SCHEME”."),
        (
            {"name": "All", "slug": "all"},
            "Please choose another web address: that one is reserved.",
        ),
        ({"name": "X", "slug": "bad slug!"}, "Enter a valid “slug”"),
        ({"name": "Y" * 151}, "Ensure this value has at most 150 characters"),
        ({"name": "Z", "description": "d" * 2001}, "at most 2000 characters"),
    ],
)
def test_a_bad_new_programme_is_a_form_error(client_for, programme, data, error):
    response = client_for("staff").post("/programmes/all/new/", {"slug": "", **data})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Programme.objects.count() == 1


def test_a_programme_admin_edits_the_details_and_a_taken_name_is_refused(
    client_for, programme, programme_admin
):
    Programme.objects.create(name="Taken", slug="taken")
    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/settings/"

    taken = client.post(url, {"name": "taken", "description": ""})
    saved = client.post(url, {"name": "Severn GP scheme", "description": "For GP trainees"})

    assert "There is already a programme called “taken”." in taken.content.decode()
    assert saved.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.description) == ("Severn GP scheme", "For GP trainees")
    event = AuditEvent.objects.get(action="programme.edit")
    assert event.summary == "Changed the programme's name and description"
    assert event.actor == programme_admin


def test_appointing_an_account_makes_it_an_admin_and_tells_them(
    client_for, programme, stranger, staff, django_capture_on_commit_callbacks
):
    client = client_for("staff")
    url = f"/programmes/{programme.slug}/admins/add/"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "SID@example.org"})
    again = client.post(url, {"email": "sid@example.org"})

    assert texts(response) == [f"Dr Sid Stranger is now an admin of {programme.name}."]
    assert programme.admins.filter(pk=stranger.pk).exists()
    (sent,) = mail.outbox
    assert sent.to == ["sid@example.org"] and programme.name in sent.subject
    assert f"/programmes/{programme.slug}/" in sent.body
    assert "Dr Sid Stranger is already an admin of this programme." in again.content.decode()
    assert AuditEvent.objects.get(action="programme.admin_add").actor == staff


def test_a_bad_address_is_a_form_error(client_for, programme):
    response = client_for("staff").post(
        f"/programmes/{programme.slug}/admins/add/", {"email": "not an address"}
    )
    assert response.status_code == 200
    assert "Please give an email address, e.g. name@example.org." in response.content.decode()
    assert not ProgrammeAdminInvitation.objects.exists()


def test_an_address_without_an_account_becomes_an_admin_once_it_signs_up_and_proves_it(
    client, client_for, programme, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("staff").post(
            f"/programmes/{programme.slug}/admins/add/", {"email": "new.admin@example.org"}
        )
    (invited,) = mail.outbox
    assert "/accounts/signup/" in invited.body
    with pytest.raises(ProgrammeError, match="invited already"):
        appoint_admin(programme=programme, email="NEW.admin@example.org", by=staff)
    client.logout()
    mail.outbox.clear()

    client.post("/accounts/signup/", SIGN_UP)
    person = User.objects.get(email="new.admin@example.org")
    # Not before the address is proved: anyone could sign up with it.
    assert not programme.admins.filter(pk=person.pk).exists()
    link = re.search(r"(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    client.post(link)

    assert programme.admins.filter(pk=person.pk).exists()
    assert ProgrammeAdminInvitation.objects.get().accepted_at is not None
    assert activate_admin_invitations(user=person, email=person.email) == []


def test_staff_remove_an_admin_and_withdraw_an_invitation(client_for, programme, programme_admin):
    invitation = ProgrammeAdminInvitation.objects.create(programme=programme, email="a@example.org")
    client = client_for("staff")
    base = f"/programmes/{programme.slug}/admins/"

    removed = client.post(f"{base}{programme_admin.pk}/remove/")
    withdrawn = client.post(f"{base}invitations/{invitation.pk}/withdraw/")

    assert texts(removed) == [f"Helen Admin is no longer an admin of {programme.name}."]
    assert not programme.admins.exists()
    assert texts(withdrawn)[-1] == "The invitation to a@example.org has been withdrawn."
    assert not ProgrammeAdminInvitation.objects.exists()
    assert client.post(f"{base}{programme_admin.pk}/remove/").status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"programme.admin_remove", "programme.admin_withdraw"} <= actions


def test_a_programme_admin_sees_the_admins_but_is_offered_no_changes(client_for, programme):
    page = client_for("programme_admin").get(f"/programmes/{programme.slug}/admins/")
    text = page.content.decode()
    assert "Helen Admin" in text
    assert "Appoint an admin" not in text and "Remove" not in text


def test_create_programme_refuses_a_taken_web_address(staff, programme):
    with pytest.raises(ProgrammeError, match="taken by another programme"):
        create_programme(name="Another name", slug=programme.slug, by=staff)
    assert Programme.objects.count() == 1
