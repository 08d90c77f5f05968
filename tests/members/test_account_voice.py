"""allauth's pages and emails speak the site's British English and are signed with its name
(locale/en_GB/LC_MESSAGES/django.po, templates/account/email/, the sign-up adapter)."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from tests.members.test_signup import SIGNUP

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES" / "django.po"


def po_entries() -> dict[str, str]:
    """The msgid → msgstr pairs of the .po file (the header left out)."""
    entries = {}
    for block in PO_FILE.read_text().split("\n\n"):
        parts = re.findall(r'^(msgid|msgstr) ((?:".*"\n?)+)', block + "\n", re.M)
        texts = {
            key: "".join(ast.literal_eval(line) for line in value.split("\n") if line)
            for key, value in parts
        }
        if texts.get("msgid"):
            entries[texts["msgid"]] = texts["msgstr"]
    return entries


def test_the_compiled_catalogue_is_in_step_with_the_po_file():
    entries = po_entries()
    assert len(entries) > 50
    with translation.override("en-gb"):
        behind = {
            msgid for msgid, msgstr in entries.items() if translation.gettext(msgid) != msgstr
        }
    assert behind == set(), "run msgfmt -o django.mo django.po in locale/en_GB/LC_MESSAGES"


@pytest.mark.django_db
def test_sign_up_speaks_the_sites_voice_and_says_where_to_write(client):
    response = client.post("/accounts/signup/", SIGNUP, follow=True)

    page = response.content.decode()
    assert "Confirm your email address" in page
    assert "finalize" not in page and "Verify Your" not in page
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in page


@pytest.mark.django_db
def test_the_confirmation_email_is_signed_with_the_sites_name_not_the_requests_host(client):
    client.post("/accounts/signup/", SIGNUP, HTTP_HOST="127.0.0.1")

    (message,) = mail.outbox
    assert message.subject == "[Balint groups] Please confirm your email address"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.body.startswith("Hello,\n")
    assert "Hello from" not in message.body
    # The request's host appears only in the link the person follows, which must work.
    words = re.sub(r"http://127\.0\.0\.1/accounts/confirm-email/\S+", "", message.body)
    assert "127.0.0.1" not in words
    assert message.body.rstrip().endswith(f"{settings.SITE_NAME}\n{settings.SITE_URL}")
