"""The simulated users: who they are, and the journeys they take (tests/load/browser.py is how
they send requests and what is recorded of the answers).

Each person is driven by one thread at a time (a thread takes someone no other thread has), as
one person uses one browser at a time: so what the client knows of each trainee's bookings is
complete, and the test compares it with the database afterwards. Two leaders of a group may
save its register at the same moment; the database must then hold one of the saves that could
have been the last. Programme admins only read, and may be in several threads at once.
"""

import csv
import io
import random
import re
import threading
import time
from dataclasses import dataclass, field

from tests.load.browser import TIMEOUT, Broken, Browser, Page, Record, Save

THINK = (0.05, 0.4)  # seconds a person pauses between pages
WEIGHTS = {"browse": 40, "taster": 30, "register": 18, "export": 12}
CANCEL_SHARE = 0.15  # of taster journeys, while someone holds a booking
DOUBLE_SUBMIT_SHARE = 0.15  # of booking forms sent twice at once (a double click)
HOT_SHARE = 0.6  # of bookings aimed at the few meetings with a single seat
FINDER_QUERIES = ["", "?format=online", "?region=scotland", "?audience=gp-trainees", "?page=2"]
STATUSES = ["present"] * 5 + ["late", "absent", "apologies"]

BOOKING_PATH = re.compile(r"^/tasters/bookings/(\d+)/$")
REFUSAL = re.compile(r"Your seat could not be booked</p>\s*<p>(.*?)</p>", re.S)
REGISTER_FIELD = re.compile(r'name="status_(\d+)"')
BOOKED_BADGE = '<span class="badge badge-success">Booked</span>'
BOOK_BUTTON = "Book my taster seat"
CANCEL_BUTTON = "Yes, cancel my seat"


@dataclass
class Trainee:
    id: int
    browser: Browser
    # booking id -> (meeting id, group slug): the open bookings the pages confirmed
    held: dict[int, tuple[int, str]] = field(default_factory=dict)


class Users:
    """The world as the simulated users know it, and the journeys they take through it."""

    def __init__(self, world: dict, port: int, record: Record):
        self.world, self.port, self.record = world, port, record
        self.trainees = [
            Trainee(trainee["id"], Browser(port, record, trainee["cookie"]))
            for trainee in world["trainees"]
        ]
        self.trainees_lock = threading.Lock()  # guards which trainees are free
        self.hot = [meeting for meeting in world["upcoming"] if meeting["hot"]]
        self.co_led = [register for register in world["registers"] if len(register["leaders"]) > 1]
        # meeting id -> its leaders not busy in another thread
        self.free_leaders = {
            register["id"]: [Browser(port, record, cookie) for cookie in register["leaders"]]
            for register in world["registers"]
        }
        self.leaders_lock = threading.Lock()
        self.admins = [
            (programme["slug"], Browser(port, record, cookie))
            for programme in world["programmes"]
            for cookie in programme["admins"]
        ]

    def run(self, *, users: int, seconds: float, seed: int = 8) -> None:
        """`users` people taking journeys at once for `seconds`; a journey under way at the end
        is finished, so no request is cut off."""
        deadline = time.monotonic() + seconds
        journeys = list(WEIGHTS)

        def person(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            while time.monotonic() < deadline:
                journey = rng.choices(journeys, weights=list(WEIGHTS.values()))[0]
                try:
                    getattr(self, journey)(rng)
                except Broken:
                    pass
                except Exception as error:  # a page that did not look as it must
                    self.record.problem(f"{journey}: {error!r}")

        threads = [threading.Thread(target=person, args=(n,), daemon=True) for n in range(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 5 * TIMEOUT)

    # The journeys.

    def browse(self, rng: random.Random) -> None:
        """A visitor looks through the finder and at a group or two."""
        browser = Browser(self.port, self.record)
        if rng.random() < 0.3:
            browser.get("browse", "/")
            _think(rng)
        query = rng.choice([*FINDER_QUERIES, f"?q={rng.choice(self.world['towns'])}"])
        browser.get("browse", f"/groups/{query}")
        for slug in rng.sample(self.world["groups"], rng.randint(1, 2)):
            _think(rng)
            browser.get("browse", f"/groups/{slug}/")

    def taster(self, rng: random.Random) -> None:
        """A trainee who is not busy in another thread cancels a seat they hold, or books one."""
        with self.trainees_lock:
            holding = [n for n, trainee in enumerate(self.trainees) if trainee.held]
            cancelling = bool(holding) and rng.random() < CANCEL_SHARE
            n = rng.choice(holding) if cancelling else rng.randrange(len(self.trainees))
            trainee = self.trainees.pop(n)
        try:
            if cancelling:
                self.cancel(trainee, rng)
            else:
                self.book(trainee, rng)
        finally:
            with self.trainees_lock:
                self.trainees.append(trainee)

    def book(self, trainee: Trainee, rng: random.Random) -> None:
        """A trainee opens a group, then a meeting's booking page, and books if it offers."""
        meetings = self.hot if rng.random() < HOT_SHARE else self.world["upcoming"]
        meeting = rng.choice(meetings)
        browser, path = trainee.browser, f"/tasters/meetings/{meeting['id']}/book/"
        browser.get("book", f"/groups/{meeting['group']}/")
        _think(rng)
        page = browser.get("book", path)
        if not self._offer_agrees(trainee, meeting, page):
            return
        if BOOK_BUTTON not in page.text:
            self.record.outcome("book: no seat offered")
            return
        _think(rng)
        form = {"csrfmiddlewaretoken": page.csrf}
        copies = 2 if rng.random() < DOUBLE_SUBMIT_SHARE else 1
        answers = _at_once([lambda: browser.post("book", path, form, expect=(200, 302))] * copies)
        pages = [answer for answer in answers if isinstance(answer, Page)]
        booked = {self._booking_from(page, trainee, meeting) for page in pages} - {None}
        if len(booked) > 1:
            self.record.problem(f"one person's double submit made bookings {sorted(booked)}")
        for booking_id in booked:
            trainee.held[booking_id] = (meeting["id"], meeting["group"])
            with self.record.lock:
                self.record.booked[booking_id] = (trainee.id, meeting["id"])
            self.record.outcome("book: booked")
        if len(pages) < len(answers):
            raise Broken
        for booking_id in booked:
            page = browser.get("book", f"/tasters/bookings/{booking_id}/")
            if BOOKED_BADGE not in page.text:
                self.record.problem(f"booking {booking_id} was confirmed, then not shown booked")

    def _offer_agrees(self, trainee: Trainee, meeting: dict, page: Page) -> bool:
        """The booking page must know the bookings this person was shown confirmed."""
        here = [b for b, (m, _) in trainee.held.items() if m == meeting["id"]]
        in_group = [b for b, (_, g) in trainee.held.items() if g == meeting["group"]]
        if in_group and BOOK_BUTTON in page.text:
            self.record.problem(
                f"person {trainee.id} holds booking {in_group} in {meeting['group']}, yet the "
                f"page offered a seat at meeting {meeting['id']}"
            )
            return False
        if here and "You have a taster seat at this meeting" not in page.text:
            self.record.problem(f"meeting {meeting['id']}'s page did not show booking {here}")
        return True

    def _booking_from(self, page: Page, trainee: Trainee, meeting: dict) -> int | None:
        if page.status == 302:
            match = BOOKING_PATH.match(page.location)
            if match is None:
                self.record.problem(f"a booking went to {page.location!r}")
                return None
            return int(match.group(1))
        refusal = REFUSAL.search(page.text)
        reason = refusal.group(1).strip() if refusal else "no reason shown"
        if reason.startswith("This meeting is full"):
            self.record.outcome("book: full")
        else:
            self.record.problem(f"person {trainee.id} at meeting {meeting['id']}: {reason}")
        return None

    def cancel(self, trainee: Trainee, rng: random.Random) -> None:
        """A trainee opens one of their bookings and cancels it."""
        browser = trainee.browser
        booking_id = rng.choice(list(trainee.held))
        path = f"/tasters/bookings/{booking_id}/"
        if rng.random() < 0.3:
            browser.get("cancel", "/meetings/mine/")
            _think(rng)
        page = browser.get("cancel", path)
        if BOOKED_BADGE not in page.text or CANCEL_BUTTON not in page.text:
            self.record.problem(f"booking {booking_id} is no longer shown booked to its person")
            return
        _think(rng)
        browser.post("cancel", f"{path}cancel/", {"csrfmiddlewaretoken": page.csrf})
        # Taken by the server; if the next page fails, which way it went is unknown.
        del trainee.held[booking_id]
        with self.record.lock:
            self.record.unconfirmed.add(booking_id)
        page = browser.get("cancel", path)
        if "Your taster booking has been cancelled" not in page.text:
            self.record.problem(f"booking {booking_id}'s cancellation was not confirmed")
            return
        with self.record.lock:
            self.record.unconfirmed.discard(booking_id)
            self.record.cancelled.add(booking_id)
        self.record.outcome("cancel: cancelled")

    def register(self, rng: random.Random) -> None:
        """A leader not busy in another thread writes a recent meeting's register; half the
        time at a group with two leaders, who may save it at the same moment."""
        with self.leaders_lock:
            meetings = self.co_led if rng.random() < 0.5 else self.world["registers"]
            meetings = [meeting for meeting in meetings if self.free_leaders[meeting["id"]]]
            if not meetings:
                return
            meeting = rng.choice(meetings)
            free = self.free_leaders[meeting["id"]]
            browser = free.pop(rng.randrange(len(free)))
        try:
            self._save_register(meeting, browser, rng)
        finally:
            with self.leaders_lock:
                self.free_leaders[meeting["id"]].append(browser)

    def _save_register(self, meeting: dict, browser: Browser, rng: random.Random) -> None:
        """Open the register, mark everyone and save it."""
        path = f"/meetings/{meeting['id']}/register/"
        page = browser.get("register", path)
        marks = {}
        for person in sorted(set(REGISTER_FIELD.findall(page.text))):
            status = rng.choice(STATUSES)
            marks[person] = [status, status in ("present", "late") and rng.random() < 0.2]
        form = {"csrfmiddlewaretoken": page.csrf}
        for person, (status, presented) in marks.items():
            form[f"status_{person}"] = status
            if presented:
                form[f"case_{person}"] = "on"
        _think(rng)
        sent = time.monotonic()
        browser.post("register", path, form)  # a redirect: saved (errors come back as a 200)
        save = Save(sent=sent, answered=time.monotonic(), marks=marks)
        with self.record.lock:
            self.record.register_saves.setdefault(meeting["id"], []).append(save)
        self.record.outcome("register: saved")
        browser.get("register", path)

    def export(self, rng: random.Random) -> None:
        """A programme admin looks at the dashboard and downloads the attendance CSV."""
        slug, browser = rng.choice(self.admins)
        if rng.random() < 0.5:
            browser.get("export", f"/programmes/{slug}/")
            _think(rng)
        page = browser.get("export", f"/programmes/{slug}/export/attendance.csv")
        rows = list(csv.reader(io.StringIO(page.text.removeprefix("\ufeff"))))
        if len(rows) < 2:
            self.record.problem(f"{slug}'s attendance export had no rows")
            return
        with self.record.lock:
            self.record.export_rows.append(len(rows) - 1)
        self.record.outcome("export: downloaded")


def _think(rng: random.Random) -> None:
    time.sleep(rng.uniform(*THINK))


def _at_once(calls: list) -> list:
    """Run the calls in threads released together (a double click); each result is a Page, or
    Broken for a call that got no usable answer."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(timeout=TIMEOUT)
        try:
            results[index] = calls[index]()
        except Broken as broken:
            results[index] = broken

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
