"""Private calendar-feed tokens. The token is long and random and lives only in the person's
feed URL; the database keeps its SHA-256 (User.calendar_token_hash), so a leaked database or
backup gives nobody's calendar away, and a new token makes the old URL stop working."""

import hashlib
import re
import secrets

from django.db import transaction

from members.models import User

TOKEN_BYTES = 32  # 43 URL-safe characters, 256 bits
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_calendar_token(*, person: User) -> str:
    """Give `person` a new feed token, ending the old one, and return it: this is the only time
    it exists outside their calendar app."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    person.calendar_token_hash = hash_token(token)
    person.save(update_fields=["calendar_token_hash"])
    return token


@transaction.atomic
def revoke_calendar_token(*, person: User) -> None:
    """Turn the person's feed off: its URL stops working."""
    person.calendar_token_hash = None
    person.save(update_fields=["calendar_token_hash"])


def person_for_token(token: str) -> User | None:
    """The active person whose feed `token` opens, or None. Comparing hashes in the database
    leaks nothing useful through timing: an attacker does not choose the hash's bytes."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return User.objects.filter(calendar_token_hash=hash_token(token), is_active=True).first()
