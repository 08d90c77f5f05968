"""Schedules, meetings, their changes, apologies and the attendance register.

Confidentiality: what is said in a Balint group stays in the room, so the app records who attended
and who presented a case, never what was said. No model here has a free-text field about cases or
patients; the free-text fields, a cancellation's reason and an apology's short note to the
leaders, are about the meeting and say so in their help text.
"""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from groups.models import BalintGroup

MIN_DURATION, MAX_DURATION = 30, 180
DEFAULT_HORIZON_MONTHS = 6
MAX_BLOCK_LENGTH = 52
APOLOGY_NOTE_MAX = 300


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    TWICE_MONTHLY = "twice_monthly", "Twice a month"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    BLOCK = "block", "A block of weekly meetings"


class Weekday(models.IntegerChoices):
    # dateutil's numbering: MO=0 ... SU=6.
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, "1st"
    SECOND = 2, "2nd"
    THIRD = 3, "3rd"
    FOURTH = 4, "4th"
    FIFTH = 5, "5th"
    LAST = -1, "last"


class Schedule(models.Model):
    """The rule that makes a group's meetings, e.g. the 2nd Tuesday of each month at 19:30.

    The friendly fields are what the leader chose; `rrule` is the RFC 5545 RRULE built from them
    (without DTSTART, which is `start_date` + `start_time` as wall-clock time in the group's zone).
    """

    group = models.OneToOneField(BalintGroup, on_delete=models.CASCADE, related_name="schedule")
    frequency = models.CharField(max_length=16, choices=Frequency, default=Frequency.MONTHLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday, default=Weekday.TUESDAY)
    week_of_month = models.SmallIntegerField(choices=WeekOfMonth, null=True, blank=True)
    second_week_of_month = models.SmallIntegerField(choices=WeekOfMonth, null=True, blank=True)
    block_length = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BLOCK_LENGTH)],
    )
    rrule = models.CharField("RRULE (RFC 5545)", max_length=200)
    start_date = models.DateField(help_text="The first date a meeting may fall on.")
    start_time = models.TimeField(help_text="Wall-clock time in the group's time zone.")
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)]
    )
    horizon_months = models.PositiveSmallIntegerField(
        default=DEFAULT_HORIZON_MONTHS, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    generated_until = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION)
                & Q(duration_minutes__lte=MAX_DURATION),
                name="schedule_duration_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.rrule}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """One meeting of a group. Times are stored in UTC; the wall clock is the group's zone.

    `revision` starts at 0 and goes up by one with every change: it is the iCal SEQUENCE, so a
    calendar sees one event that changes. A meeting a leader changed (`edited_by_hand`) or one
    in the past is never touched by the schedule again.
    """

    group = models.ForeignKey(BalintGroup, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The schedule's slot this meeting was made for, kept when it is moved so that the schedule
    # does not make that slot again.
    occurrence_starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    place = models.CharField(
        "room and address for this meeting",
        max_length=300,
        blank=True,
        help_text="Leave empty to use the group's usual room. Private: shown only to attendees.",
    )
    link = models.URLField(
        "online meeting link for this meeting",
        max_length=500,
        blank=True,
        help_text="Leave empty to use the group's usual link. Private: shown only to attendees.",
    )
    status = models.CharField(max_length=16, choices=MeetingStatus, default=MeetingStatus.SCHEDULED)
    cancel_reason = models.CharField(
        "reason for cancelling",
        max_length=300,
        blank=True,
        help_text="Members see this. Please do not include patient details.",
    )
    revision = models.PositiveIntegerField(default=0)
    # Staff reopened the register after it locked: leaders may write it until then.
    register_reopened_until = models.DateTimeField(null=True, blank=True, editable=False)
    edited_by_hand = models.BooleanField(default=False)
    created_from_schedule = models.BooleanField(default=False)
    # Entered after it took place (history: a programme starting to use the site mid-year). Its
    # register stays open to the group's leaders and programme admins, and says it was written
    # afterwards; nobody is sent calendar entries for it.
    recorded_afterwards = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "starts_at"], name="one_meeting_per_start"),
            models.UniqueConstraint(
                fields=["group", "occurrence_starts_at"], name="one_meeting_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_it_starts"
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "group"])]

    def __str__(self) -> str:
        return f"{self.group} at {self.local_starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", kwargs={"pk": self.pk})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.group.time_zone)

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def room(self) -> str:
        return self.place or self.group.room

    @property
    def meeting_link(self) -> str:
        return self.link or self.group.meeting_link


class ChangeKind(models.TextChoices):
    ADDED = "added", "Added"
    MOVED = "moved", "Moved"
    CANCELLED = "cancelled", "Cancelled"
    RESTORED = "restored", "Restored"


class MeetingChange(models.Model):
    """One change to a meeting, at the revision it produced; the notification layer turns each
    into calendar updates for the people who must hear about it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=ChangeKind)
    revision = models.PositiveIntegerField()
    old_starts_at = models.DateTimeField(null=True, blank=True)
    old_ends_at = models.DateTimeField(null=True, blank=True)
    new_starts_at = models.DateTimeField(null=True, blank=True)
    new_ends_at = models.DateTimeField(null=True, blank=True)
    old_place = models.CharField(max_length=300, blank=True)
    new_place = models.CharField(max_length=300, blank=True)
    old_link = models.URLField(max_length=500, blank=True)
    new_link = models.URLField(max_length=500, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the group's schedule made the change.",
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "revision"], name="one_change_per_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} r{self.revision}: {self.kind}"


class Apology(models.Model):
    """Advance notice that a person will miss a meeting; withdrawable until it starts."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="apologies")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="apologies"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    # Sent by declining the invitation in a calendar app (an iTIP REPLY), not on the site.
    from_calendar = models.BooleanField(default=False)
    note = models.CharField(
        "a short note to the leaders",
        max_length=APOLOGY_NOTE_MAX,
        blank=True,
        help_text="Optional, e.g. running late or away. Please do not write about patients.",
    )

    class Meta:
        verbose_name_plural = "apologies"
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_apology_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: apologies for {self.meeting}"


class CalendarAnswer(models.TextChoices):
    """PARTSTAT values of an iTIP REPLY (RFC 5545 §3.2.12) that we act on."""

    ACCEPTED = "accepted", "Accepted"
    TENTATIVE = "tentative", "Maybe"
    DECLINED = "declined", "Declined"


class CalendarReply(models.Model):
    """The latest answer a person's calendar app sent to a meeting's invitation (RFC 5546 §3.2.3).

    The reply's DTSTAMP orders answers: one stamped no later than the stored one changes
    nothing, so a reply read twice, or an older one read late, is applied once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="calendar_replies")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_replies"
    )
    answer = models.CharField(max_length=16, choices=CalendarAnswer)
    stamped_at = models.DateTimeField(help_text="The reply's DTSTAMP: when the answer was given.")
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "calendar replies"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_calendar_reply"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.answer} for {self.meeting}"


class AttendanceRole(models.TextChoices):
    MEMBER = "member", "Member"
    TASTER = "taster", "Taster"
    LEADER = "leader", "Leader"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    ABSENT = "absent", "Absent"
    APOLOGIES = "apologies", "Apologies"


ATTENDED = [AttendanceStatus.PRESENT, AttendanceStatus.LATE]


class AttendanceRecord(models.Model):
    """One line of a meeting's register: who was there and whether they presented a case."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    role = models.CharField(max_length=16, choices=AttendanceRole)
    status = models.CharField(max_length=16, choices=AttendanceStatus)
    presented_case = models.BooleanField("presented a case", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "role", "person__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_record_per_person"),
            models.CheckConstraint(
                condition=Q(presented_case=False) | Q(status__in=ATTENDED),
                name="only_attendees_present_cases",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}: {self.status}"

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED
