"""Importing past attendance from a CSV file: a programme that starts using the site mid-year
brings the registers it kept elsewhere.

One line per person and meeting, with a header row:

    group,date,time,minutes,email,status,presented_case
    cotham,2022-03-14,14:00,90,sam@example.org,late,no

`read_import` checks every line (in a fixed number of queries, whatever the file's length) and
returns a preview with each problem in words, line by line. `save_import` checks again and
saves all of it in one transaction, or nothing: the meetings the group does not have yet are
recorded afterwards (sessions.meetings.history), and each register line is written or updated,
so importing the same file twice changes nothing.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from balint.audit import services as audit
from groups.models import BalintGroup, Leadership, Membership
from members.models import Programme, User
from sessions.meetings.history import add_past_meeting
from sessions.meetings.models import (
    ATTENDED,
    MAX_DURATION,
    MIN_DURATION,
    AttendanceRecord,
    AttendanceRole,
    AttendanceStatus,
    Meeting,
)
from sessions.meetings.schedule import local_to_utc
from sessions.programmes.attendance import HeldMeeting, Spell

COLUMNS = ["group", "date", "time", "minutes", "email", "status", "presented_case"]
REQUIRED = [c for c in COLUMNS if c != "minutes"]
DEFAULT_MINUTES = 90
MAX_ROWS = 5000
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Line:
    number: int
    group: BalintGroup
    day: date
    start: time
    minutes: int
    starts_at: datetime
    person: User
    status: str
    presented_case: bool

    @property
    def meeting_key(self) -> tuple[int, datetime]:
        return (self.group.pk, self.starts_at)


@dataclass
class ImportPreview:
    lines: list[Line] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new_meetings: int = 0
    new_marks: int = 0
    changed_marks: int = 0
    unchanged_marks: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.lines)

    def meetings(self) -> list[tuple[BalintGroup, datetime, int]]:
        """Each meeting in the file, in order: its group, start and number of lines."""
        counts: dict[tuple[int, datetime], list[Line]] = defaultdict(list)
        for line in self.lines:
            counts[line.meeting_key].append(line)
        return [(ls[0].group, ls[0].starts_at, len(ls)) for ls in counts.values()]


def _header(row: list[str]) -> list[str]:
    return [cell.strip().lower().replace(" ", "_") for cell in row]


def read_import(*, programme: Programme, text: str, now: datetime | None = None) -> ImportPreview:
    """Check every line of the file against the programme's groups, its people and the rules
    of a register; nothing is saved."""
    now = now or timezone.now()
    preview = ImportPreview()
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        preview.errors.append("The file is empty. The first line must name the columns.")
        return preview
    header = _header(rows[0])
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        preview.errors.append(
            "Line 1: the file has no column called " + ", ".join(f"“{m}”" for m in missing) + ". "
            "The first line must name the columns: " + ",".join(COLUMNS) + "."
        )
        return preview
    body = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    if len(body) > MAX_ROWS:
        preview.errors.append(f"The file has {len(body)} lines; import at most {MAX_ROWS} at once.")
        return preview
    if not body:
        preview.errors.append("The file has no lines after the first (the column names).")
        return preview
    records = [(n, dict(zip(header, (c.strip() for c in row), strict=False))) for n, row in body]
    context = _Context.load(programme, records)
    seen: dict[tuple[int, datetime, int], int] = {}
    for number, record in records:
        line = _check(number, record, context, now, preview.errors)
        if line is None:
            continue
        key = (*line.meeting_key, line.person.pk)
        if key in seen:
            preview.errors.append(
                f"Line {number}: {line.person} is already marked for this meeting on line "
                f"{seen[key]}."
            )
            continue
        seen[key] = number
        preview.lines.append(line)
    context.check_membership(preview)
    preview.errors.sort(key=lambda error: int(error.split(":", 1)[0].removeprefix("Line ")))
    if not preview.errors:
        context.count_changes(preview)
    return preview


@dataclass
class _Context:
    """Everything the lines refer to, loaded in a fixed number of queries."""

    groups: dict[str, BalintGroup]
    people: dict[str, User]

    @classmethod
    def load(cls, programme: Programme, records) -> "_Context":
        groups: dict[str, BalintGroup] = {}
        for group in BalintGroup.objects.filter(programme=programme):
            groups[group.slug.lower()] = group
            groups.setdefault(group.name.strip().lower(), group)
        emails = {r.get("email", "").lower() for _, r in records if r.get("email")}
        people = {
            u.email.lower(): u
            for u in User.objects.filter(email__in=list(emails))
            if u.email.lower() in emails
        }
        if len(people) < len(emails):  # addresses written with other capitals
            lower = Q()
            for email in emails - set(people):
                lower |= Q(email__iexact=email)
            people.update({u.email.lower(): u for u in User.objects.filter(lower)})
        return cls(groups, people)

    def check_membership(self, preview: ImportPreview) -> None:
        """Each person must have been a leader or a member of the group on the meeting's day
        (their cohort placed for its block, or a member then), as the register requires."""
        if not preview.lines:
            return
        group_ids = {line.group.pk for line in preview.lines}
        person_ids = {line.person.pk for line in preview.lines}
        leaders = set(
            Leadership.objects.filter(group_id__in=group_ids, person_id__in=person_ids).values_list(
                "group_id", "person_id"
            )
        )
        spells: dict[tuple[int, int], list[Spell]] = defaultdict(list)
        rows = Membership.objects.filter(
            group_id__in=group_ids, person_id__in=person_ids
        ).values_list(
            "person_id",
            "group_id",
            "status",
            "joined_at",
            "ended_on",
            "ended_at",
            "starts_on",
            "until",
        )
        for person_id, group_id, *rest in rows:
            spells[(group_id, person_id)].append(Spell(group_id, *rest))
        kept = []
        for line in preview.lines:
            held = HeldMeeting(
                0,
                line.group.pk,
                line.starts_at,
                line.starts_at + timedelta(minutes=line.minutes),
                line.day,
            )
            key = (line.group.pk, line.person.pk)
            if key in leaders or any(s.covers(held) for s in spells[key]):
                kept.append(line)
                continue
            preview.errors.append(
                f"Line {line.number}: {line.person} was not a member of {line.group.name} on "
                f"{line.day:%-d %B %Y}. Place their cohort in the group for its block first."
            )
        preview.lines = kept

    def count_changes(self, preview: ImportPreview) -> None:
        keys = {line.meeting_key for line in preview.lines}
        existing = _existing_meetings(keys)
        preview.new_meetings = len(keys - set(existing))
        marks = {
            (r.meeting_id, r.person_id): (r.status, r.presented_case)
            for r in AttendanceRecord.objects.filter(meeting_id__in=list(existing.values()))
        }
        for line in preview.lines:
            meeting_id = existing.get(line.meeting_key)
            before = marks.get((meeting_id, line.person.pk))
            if before is None:
                preview.new_marks += 1
            elif before == (line.status, line.presented_case):
                preview.unchanged_marks += 1
            else:
                preview.changed_marks += 1


def _existing_meetings(keys) -> dict[tuple[int, datetime], int]:
    if not keys:
        return {}
    found = Meeting.objects.filter(
        group_id__in={g for g, _ in keys}, starts_at__in={s for _, s in keys}
    ).values_list("group_id", "starts_at", "pk")
    return {(g, s): pk for g, s, pk in found if (g, s) in keys}


def _check(number, record, context: _Context, now, errors) -> Line | None:
    problems: list[str] = []
    group = context.groups.get(record.get("group", "").lower())
    if group is None:
        problems.append(f"no group of this programme is called “{record.get('group', '')}”")
    day = _parse(record.get("date", ""), _date)
    if day is None:
        problems.append(f"“{record.get('date', '')}” is not a date; write it as 2022-03-14")
    start = _parse(record.get("time", ""), _time)
    if start is None:
        problems.append(f"“{record.get('time', '')}” is not a time; write it as 14:00")
    minutes = _minutes(record.get("minutes", ""), problems)
    person = context.people.get(record.get("email", "").lower())
    if person is None:
        problems.append(f"nobody has an account with the address “{record.get('email', '')}”")
    status = record.get("status", "").lower()
    if status not in AttendanceStatus.values:
        problems.append(
            f"“{record.get('status', '')}” is not a mark; use present, late, absent or apologies"
        )
    case = record.get("presented_case", "").lower()
    if case not in YES | NO:
        problems.append(
            f"“{record.get('presented_case', '')}” under presented_case: write yes or no"
        )
    elif case in YES and status in AttendanceStatus.values and status not in ATTENDED:
        problems.append("only someone who was there can have presented a case")
    starts_at = None
    if group and day and start:
        starts_at = local_to_utc(day, start, group.time_zone)
        if starts_at is None:
            problems.append(
                f"{start:%H:%M} did not exist on {day:%-d %B %Y}: the clocks went forward then"
            )
        elif minutes and starts_at + timedelta(minutes=minutes) > now:
            problems.append("that meeting has not finished yet; only past meetings are imported")
    if problems:
        errors.append(f"Line {number}: " + "; ".join(problems) + ".")
        return None
    return Line(number, group, day, start, minutes, starts_at, person, status, case in YES)


def _parse(value: str, parser):
    try:
        return parser(value.strip())
    except ValueError:
        return None


def _date(value: str) -> date:
    """2022-03-14, or 14/03/2022 as a British spreadsheet writes it."""
    if "/" in value:
        return datetime.strptime(value, "%d/%m/%Y").date()
    return date.fromisoformat(value)


def _time(value: str) -> time:
    """14:00 or 8:00 (spreadsheets drop the leading zero), seconds allowed."""
    for form in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, form).time()
        except ValueError:
            continue
    raise ValueError(value)


def _minutes(value: str, problems: list[str]) -> int | None:
    if not value:
        return DEFAULT_MINUTES
    if not value.isdigit() or not MIN_DURATION <= int(value) <= MAX_DURATION:
        problems.append(
            f"“{value}” under minutes: give a length from {MIN_DURATION} to {MAX_DURATION}"
        )
        return None
    return int(value)


@transaction.atomic
def save_import(*, programme: Programme, text: str, by: User, now: datetime | None = None):
    """Check the file again and save all of it, or nothing (the preview's errors). Meetings the
    groups lack are recorded afterwards; register lines are written or updated."""
    now = now or timezone.now()
    preview = read_import(programme=programme, text=text, now=now)
    if not preview.ok:
        return preview
    existing = _existing_meetings({line.meeting_key for line in preview.lines})
    for line in preview.lines:
        if line.meeting_key not in existing:
            meeting = add_past_meeting(
                group=line.group,
                by=by,
                day=line.day,
                start=line.start,
                duration_minutes=line.minutes,
                now=now,
            )
            existing[line.meeting_key] = meeting.pk
    _write_marks(preview.lines, existing, by=by, now=now)
    audit.record(
        actor=by,
        area=audit.Area.REGISTER,
        action="register.import",
        summary=f"Imported past attendance: {preview.new_meetings} meetings added, "
        f"{preview.new_marks} marks added, {preview.changed_marks} changed",
        where=programme,
        target=programme,
    )
    return preview


def _write_marks(lines: list[Line], meetings: dict, *, by: User, now: datetime) -> None:
    records = {
        (r.meeting_id, r.person_id): r
        for r in AttendanceRecord.objects.filter(meeting_id__in=list(meetings.values()))
    }
    leaders = set(
        Leadership.objects.filter(group_id__in={line.group.pk for line in lines}).values_list(
            "group_id", "person_id"
        )
    )
    new, changed = [], []
    for line in lines:
        meeting_id = meetings[line.meeting_key]
        record = records.get((meeting_id, line.person.pk))
        if record is None:
            role = (
                AttendanceRole.LEADER
                if (line.group.pk, line.person.pk) in leaders
                else AttendanceRole.MEMBER
            )
            record = AttendanceRecord(meeting_id=meeting_id, person=line.person, role=role)
            new.append(record)
        elif (record.status, record.presented_case) == (line.status, line.presented_case):
            continue
        else:
            changed.append(record)
        record.status, record.presented_case = line.status, line.presented_case
        record.recorded_by, record.recorded_at = by, now
    AttendanceRecord.objects.bulk_create(new)
    AttendanceRecord.objects.bulk_update(
        changed, ["status", "presented_case", "recorded_by", "recorded_at"]
    )
