"""Certificates of attendance as PDF, for portfolios and appraisal: the person's name, each group
with its leaders, meetings attended out of those held (while they were enrolled), and the dates.

The same arithmetic as the dashboard (attendance.py), under the cohort's counting rule, so a
certificate never disagrees with it.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from groups.models import BalintGroup, Leadership, Membership
from members.models import Programme, User
from sessions.meetings.models import AttendanceRecord
from sessions.programmes.attendance import (
    DEFAULT_POLICY,
    Policy,
    Window,
    load_attendance,
    policy_of,
    tally,
    windows_for,
)
from sessions.programmes.models import Cohort, CohortPlacement, Enrolment


@dataclass
class CertificateGroup:
    name: str
    leaders: list[str]
    attended: int
    held: int
    dates: list[date] = field(default_factory=list)
    excused: int = 0


@dataclass
class Certificate:
    person: str
    heading: str
    start: date
    end: date
    groups: list[CertificateGroup]
    issued_on: date

    @property
    def attended(self) -> int:
        return sum(group.attended for group in self.groups)

    @property
    def held(self) -> int:
        return sum(group.held for group in self.groups)

    @property
    def excused(self) -> int:
        return sum(group.excused for group in self.groups)


def cohort_certificate(*, cohort: Cohort, person: User, now: datetime | None = None) -> Certificate:
    """The person's attendance in the cohort's groups while they were enrolled in it."""
    now = now or timezone.now()
    spells = Enrolment.objects.filter(cohort=cohort, person=person).values_list(
        "enrolled_on", "left_on"
    )
    windows = windows_for(list(spells), cohort_start=cohort.starts_on, cohort_end=cohort.ends_on)
    groups = [
        p.group for p in CohortPlacement.objects.filter(cohort=cohort).select_related("group")
    ]
    heading = f"{cohort.programme.name}: {cohort.name}"
    return _certificate(person, heading, groups, windows, now, policy=policy_of(cohort))


def range_certificate(
    *,
    person: User,
    start: date,
    end: date,
    programme: Programme | None = None,
    now: datetime | None = None,
) -> Certificate:
    """The person's attendance in every group they belonged to (or the programme's groups)
    between two dates."""
    now = now or timezone.now()
    belonged = Membership.objects.filter(person=person).values("group_id")
    recorded = AttendanceRecord.objects.filter(person=person).values("meeting__group_id")
    groups = BalintGroup.objects.filter(pk__in=belonged) | BalintGroup.objects.filter(
        pk__in=recorded
    )
    if programme is not None:
        groups = groups.filter(programme=programme)
    heading = programme.name if programme else "Balint group attendance"
    return _certificate(person, heading, list(groups.distinct()), [Window(start, end)], now)


def _certificate(
    person,
    heading,
    groups,
    windows: list[Window],
    now: datetime,
    *,
    policy: Policy = DEFAULT_POLICY,
) -> Certificate:
    today = timezone.localdate(now)
    start = min((w.start for w in windows), default=today)
    end = min(max((w.end for w in windows), default=today), max(today, start))
    data = load_attendance(
        person_ids=[person.pk],
        group_ids=[g.pk for g in groups],
        first_day=start,
        last_day=end,
        now=now,
    )
    leaders: dict[int, list[str]] = {}
    for lead in Leadership.objects.filter(group__in=groups).select_related("person"):
        leaders.setdefault(lead.group_id, []).append(lead.person.display_name)
    rows = []
    for group in sorted(groups, key=lambda g: g.name):
        result = tally(
            data, person_id=person.pk, group_ids=[group.pk], windows=windows, policy=policy
        )
        if result.expected == 0:
            continue
        dates = [
            m.day
            for m in data.meetings_by_group.get(group.pk, [])
            if policy.attends(data.marks.get((person.pk, m.id), ("", False))[0])
            and any(m.day in w for w in windows)
        ]
        row = CertificateGroup(
            group.name,
            leaders.get(group.pk, []),
            result.attended,
            result.counted,
            dates,
            excused=result.excused,
        )
        rows.append(row)
    return Certificate(person.display_name, heading, start, end, rows, today)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 PDF."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Certificate of attendance: {certificate.person}",
        author=settings.SITE_NAME,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
    )
    styles = getSampleStyleSheet()
    centred = ParagraphStyle("centred", parent=styles["Normal"], alignment=1, fontSize=12)
    story = [
        Paragraph("Certificate of attendance", styles["Title"]),
        Paragraph(escape(certificate.heading), centred),
        Spacer(1, 10 * mm),
        Paragraph("This is to certify that", centred),
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{escape(certificate.person)}</b>", styles["Heading1"]),
        Paragraph(
            f"attended <b>{certificate.attended}</b> of the <b>{certificate.held}</b> Balint group "
            f"meetings held from {_day(certificate.start)} to {_day(certificate.end)}"
            + _excused(certificate.excused)
            + ".",
            centred,
        ),
        Spacer(1, 10 * mm),
        _groups_table(certificate, styles),
        Spacer(1, 12 * mm),
        Paragraph(
            f"Issued on {_day(certificate.issued_on)} by {escape(settings.SITE_NAME)} "
            f"({escape(settings.SITE_URL)}) from the groups' attendance registers. "
            "The registers record who attended, never what was said.",
            styles["Normal"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _excused(count: int) -> str:
    if not count:
        return ""
    plural = "meeting" if count == 1 else "meetings"
    return f" (not counting {count} {plural} with apologies, excused by the programme)"


def _groups_table(certificate: Certificate, styles) -> Table | Paragraph:
    if not certificate.groups:
        return Paragraph("No meetings were held in this period.", styles["Normal"])
    small = styles["BodyText"]
    rows = [["Group", "Leaders", "Attended", "Dates attended"]]
    for group in certificate.groups:
        dates = ", ".join(f"{d.day} {d:%b %Y}" for d in group.dates) or "—"
        rows.append(
            [
                Paragraph(escape(group.name), small),
                Paragraph(escape(", ".join(group.leaders) or "—"), small),
                f"{group.attended} of {group.held}",
                Paragraph(dates, small),
            ]
        )
    table = Table(rows, colWidths=[45 * mm, 40 * mm, 22 * mm, 63 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#1f5f5b")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 1), (-1, -1), 0.25, colors.HexColor("#d9e2e0")),
            ]
        )
    )
    return table
