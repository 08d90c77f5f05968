"""The organiser address of an invitation: where its recipient's calendar sends their answer.

`replies+<meeting>.<person>.<mac>@domain`, from settings.REPLIES_ADDRESS with plus-addressing
(Microsoft 365, Gmail, Fastmail and Dovecot deliver `box+anything@` to `box@`). The ids are
base 36 and the MAC is an HMAC-SHA256 of them under SECRET_KEY, cut to 100 bits in lower-case
base 32: the whole local part stays far below the 64 characters of RFC 5321 §4.5.3.1.1, and
nothing in it depends on letter case, which mail systems may not keep. A forged address needs
the key; guessing 100 bits through a mailbox read every few minutes is out of reach.
"""

import base64
import hmac
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "balint.calendar.reply-address"
MAC_LENGTH = 20  # base 32 characters: 100 bits
LOCAL_PART_LIMIT = 64
_TOKEN = re.compile(r"([0-9a-z]{1,13})\.([0-9a-z]{1,13})\.([a-z2-7]{20})")  # MAC_LENGTH


def replies_enabled() -> bool:
    """Whether invitations ask for answers (REPLIES_ADDRESS is set)."""
    return bool(settings.REPLIES_ADDRESS)


def reply_address(*, meeting_id: int, person_id: int) -> str:
    """The address `person_id`'s calendar answers invitations to `meeting_id` at. Raises
    ValueError if REPLIES_ADDRESS is unset or too long to carry a token."""
    local, domain = _base()
    address_local = f"{local}+{_token(meeting_id, person_id)}"
    if len(address_local) > LOCAL_PART_LIMIT:
        raise ValueError(f"REPLIES_ADDRESS's local part is too long for a token: {local!r}")
    return f"{address_local}@{domain}"


def read_reply_address(address: str) -> tuple[int, int] | None:
    """The (meeting id, person id) an address made by `reply_address` names, or None if it is
    not one of ours or its MAC is wrong."""
    local, domain = _base()
    address = address.strip().lower().removeprefix("mailto:")
    found_local, _, found_domain = address.rpartition("@")
    box, plus, token = found_local.partition("+")
    if not plus or box != local or found_domain != domain:
        return None
    match = _TOKEN.fullmatch(token)
    if match is None:
        return None
    meeting_id, person_id = int(match[1], 36), int(match[2], 36)
    if not hmac.compare_digest(match[3], _mac(meeting_id, person_id)):
        return None
    return meeting_id, person_id


def _base() -> tuple[str, str]:
    local, at, domain = settings.REPLIES_ADDRESS.strip().lower().rpartition("@")
    if not at or not local or not domain:
        raise ValueError("REPLIES_ADDRESS must be an address such as replies@example.org")
    return local, domain


def _token(meeting_id: int, person_id: int) -> str:
    return f"{_base36(meeting_id)}.{_base36(person_id)}.{_mac(meeting_id, person_id)}"


def _mac(meeting_id: int, person_id: int) -> str:
    digest = salted_hmac(SALT, f"{meeting_id}.{person_id}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode().lower()[:MAC_LENGTH]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text
