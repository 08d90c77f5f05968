"""A small browser over http.client (cookies, CSRF) for the simulated users, and the record of
every answer they got and of what each page confirmed to them."""

import http.client
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.common import REQUEST_HEADERS

TIMEOUT = 60  # seconds; longer than gunicorn's own worker timeout
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Broken(Exception):
    """A journey that cannot go on: its answer is in the record already."""


@dataclass
class Hit:
    journey: str
    method: str
    path: str
    status: int  # 0: no answer at all (refused, reset, timed out)
    seconds: float
    error: str = ""


@dataclass
class Record:
    """Every answer, and everything the pages confirmed."""

    hits: list[Hit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    # booking id -> (person id, meeting id), for every booking a page confirmed
    booked: dict[int, tuple[int, int]] = field(default_factory=dict)
    cancelled: set[int] = field(default_factory=set)
    # cancellations the server took (it redirected) whose confirming page never came
    unconfirmed: set[int] = field(default_factory=set)
    # meeting id -> every save of its register that the site took
    register_saves: dict[int, list["Save"]] = field(default_factory=dict)
    export_rows: list[int] = field(default_factory=list)
    client_cpu: float = 0.0  # seconds of CPU the simulated users took
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def outcome(self, name: str) -> None:
        with self.lock:
            self.outcomes[name] += 1


@dataclass(frozen=True)
class Save:
    """One save of a register: when it was sent and answered, and its marks
    ({person id: [status, presented a case]})."""

    sent: float
    answered: float
    marks: dict[str, list]


@dataclass
class Page:
    status: int
    location: str
    text: str

    @property
    def csrf(self) -> str | None:
        match = CSRF_FIELD.search(self.text)
        return match.group(1) if match else None


class Browser:
    """One person's browser: their cookies (a signed-in session, CSRF, messages)."""

    def __init__(self, port: int, record: Record, cookie: str = ""):
        self.port, self.record = port, record
        self.cookies = dict(part.split("=", 1) for part in cookie.split("; ") if part)
        self.lock = threading.Lock()

    def get(self, journey: str, path: str, *, expect: int = 200) -> Page:
        return self.request(journey, "GET", path, expect=expect)

    def post(self, journey: str, path: str, form: dict, *, expect: tuple = (302,)) -> Page:
        return self.request(journey, "POST", path, form=form, expect=expect)

    def request(self, journey, method, path, *, form=None, expect=(200,)) -> Page:
        """Send one request on a connection of its own and read the whole answer. Raises
        Broken, after recording it, if there is no answer or not one of `expect`."""
        expect = (expect,) if isinstance(expect, int) else expect
        with self.lock:
            cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {**REQUEST_HEADERS, "Connection": "close", "Cookie": cookie}
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "https://localhost",
                "Referer": f"https://localhost{path}",
            }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            chunks = []
            while chunk := response.read(65536):  # streamed answers are read to their end
                chunks.append(chunk)
        except (OSError, http.client.HTTPException) as error:
            seconds = time.perf_counter() - started
            self.record.hit(Hit(journey, method, path, 0, seconds, repr(error)))
            raise Broken from error
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        page = Page(response.status, response.getheader("Location", ""), b"".join(chunks).decode())
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        self.record.hit(Hit(journey, method, path, page.status, seconds))
        if page.status not in expect:
            if page.status < 500:  # a 5xx is counted from the hits
                self.record.problem(f"{method} {path} answered {page.status}, not {expect}")
            raise Broken
        return page

    def _keep_cookies(self, headers: list[str]) -> None:
        with self.lock:
            for header in headers:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
