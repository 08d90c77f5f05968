"""The mailbox calendar answers arrive in, read over IMAP (settings IMAP_*; README, "Calendar
replies"). Works with any IMAP4rev1 server: Microsoft 365 and Gmail with an app password where
the account allows one (both are retiring passwords for IMAP in favour of OAuth, which this
does not do), Dovecot, Fastmail and the rest with the mailbox's own.

Each unseen message is applied (replies.py) and then moved to IMAP_PROCESSED_FOLDER, or marked
seen; one that carries no answer we can read is moved to IMAP_FAILED_FOLDER, or marked seen and
flagged, for a person to look at. Either way the next message is read. The move comes after the
answer's transaction commits: a run that dies in between reads the message again next time,
and the stored DTSTAMP makes that a repeat that changes nothing.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from imap_tools import AND, BaseMailBox, MailBox, MailBoxUnencrypted, MailMessageFlags

from sessions.calendar.replies import apply_message
from sessions.calendar.reply_parsing import UnreadableReply

logger = logging.getLogger(__name__)

BATCH = 200  # messages a run reads at most; the next run, minutes later, takes the rest


@dataclass
class ReadResult:
    processed: int = 0  # answers read, whether or not they changed anything
    set_aside: int = 0  # messages with no answer we could read


def imap_configured() -> bool:
    return bool(settings.IMAP_HOST)


def read_mailbox(*, limit: int = BATCH) -> ReadResult:
    """Read the unseen messages of IMAP_FOLDER and apply the answers they carry. Does nothing
    without IMAP_HOST. Raises imap_tools' and imaplib's errors if the server cannot be reached
    or refuses the login, and DatabaseError if the database fails (the message stays unseen)."""
    result = ReadResult()
    if not imap_configured():
        return result
    with _connect() as box:
        for folder in {settings.IMAP_PROCESSED_FOLDER, settings.IMAP_FAILED_FOLDER} - {""}:
            if not box.folder.exists(folder):
                box.folder.create(folder)
        box.folder.set(settings.IMAP_FOLDER)
        for message in box.fetch(AND(seen=False), mark_seen=False, limit=limit, bulk=50):
            if _read_one(box, message):
                result.processed += 1
            else:
                result.set_aside += 1
    return result


def _connect() -> BaseMailBox:
    host, port, timeout = settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_TIMEOUT
    box = (
        MailBox(host, port, timeout=timeout)
        if settings.IMAP_USE_SSL
        else MailBoxUnencrypted(host, port, timeout=timeout)
    )
    return box.login(settings.IMAP_USER, settings.IMAP_PASSWORD, initial_folder=None)


def _read_one(box: BaseMailBox, message) -> bool:
    """Apply one message and file it; False if it was set aside."""
    try:
        apply_message(message.obj)
    except UnreadableReply as error:
        logger.warning("Calendar mailbox: message %s set aside: %s", message.uid, error)
        _set_aside(box, message.uid)
        return False
    except DatabaseError:
        raise  # nothing else would work either; the message stays unseen for the next run
    except Exception:
        # A bug must not stop the other answers, nor bring this message back every run.
        logger.exception("Calendar mailbox: message %s set aside after an error", message.uid)
        _set_aside(box, message.uid)
        return False
    if settings.IMAP_PROCESSED_FOLDER:
        box.move(message.uid, settings.IMAP_PROCESSED_FOLDER)
    else:
        box.flag(message.uid, MailMessageFlags.SEEN, True)
    return True


def _set_aside(box: BaseMailBox, uid: str) -> None:
    if settings.IMAP_FAILED_FOLDER:
        box.move(uid, settings.IMAP_FAILED_FOLDER)
    else:
        box.flag(uid, [MailMessageFlags.SEEN, MailMessageFlags.FLAGGED], True)
