"""Charts drawn on the server as SVG: no script, no CDN, nothing inline but SVG attributes (the
Content-Security-Policy forbids inline styles, so colours are presentation attributes).

Each chart carries the rows of the table that goes behind it (templates/reports/includes/
chart.html shows both), so the numbers are there for screen readers and for copying.
"""

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 800, 280
# The same chart drawn for a phone: about as many units wide as the screen has pixels, so its
# 11-unit labels stay about 11 px tall instead of shrinking to 5.
NARROW_WIDTH = 360
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 44
INK, MUTED, GRID, ACCENT = "#1d2b2a", "#5b6b69", "#d9e2e0", "#1f5f5b"


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Mark:
    """A bar (width > 0) or a point (width == 0) with its label and value."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    label_x: float
    show_label: bool = True
    anchor: str = "middle"  # the label's text-anchor: the first and last dates keep inside


@dataclass
class Chart:
    title: str
    description: str
    columns: tuple[str, str]
    rows: list[tuple[str, str]] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    line: str = ""  # the polyline's points, for a line chart
    width: int = WIDTH
    height: int = HEIGHT
    colours: dict = field(
        default_factory=lambda: {"ink": INK, "muted": MUTED, "grid": GRID, "accent": ACCENT}
    )
    narrow: "Chart | None" = None  # the phone's drawing of the same numbers

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM

    @property
    def label_y(self) -> int:
        return self.height - BOTTOM + 18

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _y(value: float, top_value: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(TOP + plot * (1 - value / top_value), 1) if top_value else HEIGHT - BOTTOM


def _ticks(top_value: float, *, percent: bool) -> list[Tick]:
    steps = [top_value * i / 4 for i in range(5)]
    fmt = (lambda v: f"{v:.0f}%") if percent else (lambda v: f"{v:g}")
    return [Tick(_y(v, top_value), fmt(v)) for v in steps]


def rate_chart(*, title: str, points: list[tuple[str, int, int]]) -> Chart:
    """Attendance rate per meeting over time: points are (date label, attended, recorded)."""
    chart = _rate_chart(title, points, width=WIDTH, labels=6)
    chart.narrow = _rate_chart(title, points, width=NARROW_WIDTH, labels=3)
    return chart


def _rate_chart(title: str, points: list[tuple[str, int, int]], *, width: int, labels: int):
    chart = Chart(
        title=title,
        description=f"Share of members present or late at each of {len(points)} meetings.",
        columns=("Meeting", "Attended"),
        ticks=_ticks(100, percent=True),
        width=width,
    )
    plot = width - LEFT - RIGHT
    step = plot / max(len(points) - 1, 1)
    # Label only a few dates under the axis so they never overlap; the table has them all.
    every = max(1, math.ceil(len(points) / labels))
    last = len(points) - 1
    coordinates = []
    for i, (label, attended, recorded) in enumerate(points):
        rate = 100 * attended / recorded if recorded else 0
        x = round(LEFT + (i * step if len(points) > 1 else plot / 2), 1)
        y = _y(rate, 100)
        value = f"{rate:.0f}% ({attended} of {recorded})"
        # The last date always shows; one that would crowd it gives way.
        show = i == last or (i % every == 0 and last - i >= every)
        anchor = "end" if i == last and last else "start" if i == 0 and last else "middle"
        chart.marks.append(Mark(x, y, 0, 0, label, value, x, show_label=show, anchor=anchor))
        chart.rows.append((label, value))
        coordinates.append(f"{x},{y}")
    chart.line = " ".join(coordinates)
    return chart


def distribution_chart(*, title: str, bands: list[tuple[str, int]]) -> Chart:
    """How many trainees fall in each band of attendance rate: one bar per band."""
    chart = _distribution_chart(title, bands, width=WIDTH)
    short = [(label.replace("Under ", "<"), count) for label, count in bands]
    chart.narrow = _distribution_chart(title, short, width=NARROW_WIDTH)
    return chart


def _distribution_chart(title: str, bands: list[tuple[str, int]], *, width: int) -> Chart:
    top = max([count for _, count in bands] + [1])
    top = top if top % 4 == 0 else top + (4 - top % 4)  # ticks on whole numbers
    chart = Chart(
        title=title,
        description="Number of trainees in each band of attendance (meetings attended out of "
        "meetings expected so far).",
        columns=("Attendance", "Trainees"),
        ticks=_ticks(top, percent=False),
        width=width,
    )
    slot = (width - LEFT - RIGHT) / max(len(bands), 1)
    for i, (label, count) in enumerate(bands):
        y = _y(count, top)
        x = round(LEFT + i * slot + slot * 0.15, 1)
        bar = round(slot * 0.7, 1)
        height = round(HEIGHT - BOTTOM - y, 1)
        chart.marks.append(Mark(x, y, bar, height, label, str(count), round(x + bar / 2, 1)))
        chart.rows.append((label, str(count)))
    if not any(count for _, count in bands):
        chart.rows = []
    return chart
