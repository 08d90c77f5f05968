"""Private calendar-feed tokens. The token is long and lives only in the person's feed URL; the
database keeps its SHA-256 (User.calendar_token_hash), so a leaked database or backup gives
nobody's calendar away, and a new token makes the old URL stop working.

So that the calendar page can show the link again at any time (people lose it, and set up a
second device), the token is not random but derived: an HMAC, keyed with the site's SECRET_KEY,
of the person and a random nonce kept in FeedKey. Reading a feed still only compares hashes;
deriving a token needs both the database and SECRET_KEY. A token made before FeedKey existed, or
under an older SECRET_KEY, no longer matches its hash: the page then offers a new link."""

import base64
import hashlib
import hmac
import re
import secrets

from django.db import transaction
from django.utils.crypto import salted_hmac

from members.models import User
from sessions.calendar.models import FeedKey

TOKEN_BYTES = 32  # 43 URL-safe characters, 256 bits
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")
KEY_SALT = "balint.calendar.feed-token"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(person_id: int, nonce: str) -> str:
    digest = salted_hmac(KEY_SALT, f"{person_id}:{nonce}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).rstrip(b"=").decode()


@transaction.atomic
def issue_calendar_token(*, person: User) -> str:
    """Give `person` a new feed token, ending the old one, and return it."""
    nonce = secrets.token_urlsafe(32)
    FeedKey.objects.update_or_create(person=person, defaults={"nonce": nonce})
    token = _derive(person.pk, nonce)
    person.calendar_token_hash = hash_token(token)
    person.save(update_fields=["calendar_token_hash"])
    return token


def current_calendar_token(person: User) -> str | None:
    """The person's working feed token, derived again; None if their feed is off or its token
    cannot be derived (made before links could be shown again, or under another SECRET_KEY)."""
    if not person.calendar_token_hash:
        return None
    nonce = FeedKey.objects.filter(person=person).values_list("nonce", flat=True).first()
    if nonce is None:
        return None
    token = _derive(person.pk, nonce)
    if not hmac.compare_digest(hash_token(token), person.calendar_token_hash):
        return None
    return token


@transaction.atomic
def revoke_calendar_token(*, person: User) -> None:
    """Turn the person's feed off: its URL stops working."""
    FeedKey.objects.filter(person=person).delete()
    person.calendar_token_hash = None
    person.save(update_fields=["calendar_token_hash"])


def person_for_token(token: str) -> User | None:
    """The active person whose feed `token` opens, or None. Comparing hashes in the database
    leaks nothing useful through timing: an attacker does not choose the hash's bytes."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return User.objects.filter(calendar_token_hash=hash_token(token), is_active=True).first()
