"""Which tables have changed since a page was rendered: a version for every table, moved on by
every write made through Django's database connections, and the tables a request reads.

The page cache (balint/page_cache.py) keeps a rendered page with the versions of the tables it
read, and serves it again only while none of them has moved. So the versions must move with
every write, whatever makes it: a model's save() or delete(), QuerySet.update(), bulk_create(),
raw SQL, the admin, a Celery worker or a management command. They are therefore moved by an
execute wrapper (`track`) on every database connection, which reads the statement itself: an
INSERT INTO, UPDATE, DELETE FROM or TRUNCATE names the tables it writes. (A write made outside
Django, with psql say, moves nothing: `python manage.py clear_page_cache` after one.)

A version is a random token in the cache, never a counter: a cache that lost its versions (a
restart, an eviction) makes new ones that match no page kept from before.

When a version moves matters as much as that it moves. Another request may read a table's
version, then its rows, while a transaction writes them:
- After the transaction commits, the version moves again (`on_commit`). A page rendered from the
  old rows in the meantime was stored under a version that the commit leaves behind.
- Before the commit, the rows are not visible to anyone else; but the writing connection itself
  sees them (in a test, which never commits, or a view that writes and then renders). So its
  writes also move the versions the next time this connection's thread reads the versions
  (`snapshot`), and at once when it writes outside a transaction (autocommit: the statement was
  its own transaction).

The tables a request reads are recorded while `reading()` is active, from each SELECT's FROM and
JOIN clauses; a table read in a subquery counts as read. Reading more than a page shows only
costs it an unneeded miss now and then, never a stale answer.
"""

import logging
import re
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache as cache_once

from django.apps import apps
from django.core.cache import cache
from django.db import connections

log = logging.getLogger(__name__)

VERSION_KEY = "changes:v1:{}"
KEPT_KEY = "kept:v1:{}"
# A pseudo-table that every write moves: "has anything changed since?"
ANY = "*"
KEPT_SECONDS = 600
# The session's own table changes on nearly every request and no page shows it.
UNTRACKED = frozenset({"django_session"})

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\b", re.I)
_NAME = re.compile(r'"(\w+)"')
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)', re.I)


@dataclass(frozen=True)
class Reading:
    """A request's view of the tables: their versions, and the tables it has read."""

    versions: "Versions"
    tables: set[str]


_reading: ContextVar[Reading | None] = ContextVar("balint_changes_reading", default=None)


@cache_once
def all_tables() -> frozenset[str]:
    """Every table of every installed model, its many-to-many tables included."""
    return frozenset(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table not in UNTRACKED
    )


def written_tables(sql: str) -> set[str]:
    """The tables a statement writes (none for a read)."""
    if found := _WRITE.match(sql):
        return {found.group(1)} - UNTRACKED
    if _TRUNCATE.match(sql):
        return set(_NAME.findall(sql.split(";", 1)[0])) - UNTRACKED
    return set()


def read_tables(sql: str) -> set[str]:
    return set(_READ.findall(sql)) - UNTRACKED


def _new_versions(tables) -> None:
    try:
        moved = {VERSION_KEY.format(t): secrets.token_hex(8) for t in {*tables, ANY}}
        cache.set_many(moved, None)
    except Exception:
        # The page cache cannot be read either while the cache is down; what it kept is
        # still bounded by the minute a page is kept for.
        log.exception("Could not move the versions of %s", sorted(tables))


class _OnCommit:
    """One callback per transaction, moving every table the transaction wrote."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.tables: set[str] = set()

    def __call__(self) -> None:
        # Committed: nothing is left for the connection's next reading to move.
        self.connection.balint_unflushed = set()
        _new_versions(self.tables)


def _moved_on_commit(connection, tables: set[str]) -> None:
    for _, callback, _ in connection.run_on_commit:
        if isinstance(callback, _OnCommit):
            callback.tables |= tables
            return
    callback = _OnCommit(connection)
    callback.tables |= tables
    connection.on_commit(callback)


def track(execute, sql, params, many, context):
    """The execute wrapper: note what the statement writes or, while reading(), reads."""
    if tables := written_tables(sql):
        connection = context["connection"]
        if connection.in_atomic_block:
            connection.balint_unflushed = getattr(connection, "balint_unflushed", set()) | tables
            _moved_on_commit(connection, tables)
        else:
            _new_versions(tables)
    elif (reading := _reading.get()) is not None:
        reading.versions.before_reading_rows()
        reading.tables.update(read_tables(sql))
    return execute(sql, params, many, context)


def install(connection, **kwargs) -> None:
    """connection_created's receiver: track every statement of the new connection."""
    if track not in connection.execute_wrappers:
        connection.execute_wrappers.append(track)


def _flush_unflushed() -> None:
    for connection in connections.all(initialized_only=True):
        if tables := getattr(connection, "balint_unflushed", None):
            connection.balint_unflushed = set()
            _new_versions(tables)


def _fetch(tables, *keys: str) -> tuple[dict[str, str], dict]:
    """The current versions of `tables` (this thread's own uncommitted writes counted), and
    the cache's values under `keys`, in one round trip."""
    _flush_unflushed()
    names = {VERSION_KEY.format(table): table for table in tables}
    found = cache.get_many([*names, *keys])
    if missing := [name for name in names if name not in found]:
        for name in missing:
            cache.add(name, secrets.token_hex(8), None)
        found |= cache.get_many(missing)
    return {names[name]: found[name] for name in names}, {k: found[k] for k in keys if k in found}


def snapshot() -> dict[str, str]:
    """The current version of every table."""
    return _fetch(all_tables())[0]


class Versions:
    """The tables' versions as one request sees them.

    Each is read from the cache once, when first needed, and every one not read yet is read
    before the request's first query: so what is kept is always kept with versions read before
    the rows it shows. ANY, which every write moves, is read with the first entry looked up: an
    entry kept since the last write anywhere is served without reading any table's version;
    otherwise the versions of the tables it read are compared."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}
        self._complete = False
        # Keys the request expects to look up, fetched with the next lookup; and what was found.
        self._expected: list[str] = []
        self._fetched: dict[str, object] = {}

    def of(self, tables) -> dict[str, str]:
        """The versions of those of `tables` that are tracked, and ANY's."""
        tables = all_tables().intersection(tables) | {ANY}
        if missing := tables.difference(self._known):
            self._known |= _fetch(missing)[0]
        return {table: self._known[table] for table in tables}

    def before_reading_rows(self) -> None:
        if not self._complete:
            self.of(all_tables())
            self._complete = True

    def expect(self, *keys: str) -> None:
        """Keys this request is about to look up: read along with the next lookup, in the same
        round trip to the cache."""
        self._expected.extend(keys)

    def lookup(self, key: str):
        """The cache's value under `key` (None if none), with ANY's version if not read yet and
        the keys expected. A value fetched ahead is as the cache held it with the versions this
        request compares it with."""
        if key in self._fetched:
            return self._fetched.pop(key)
        keys = list(dict.fromkeys([key, *self._expected]))
        self._expected = []
        if ANY in self._known:
            found = cache.get_many(keys) if len(keys) > 1 else {key: cache.get(key)}
        else:
            versions, found = _fetch([ANY], *keys)
            self._known |= versions
        self._fetched |= {k: found.get(k) for k in keys[1:]}
        return found.get(key)

    def match(self, stored: dict[str, str]) -> bool:
        """Whether every table in `stored` still has the version stored."""
        if stored.get(ANY) == self.of(())[ANY]:
            return True
        tables = {table: version for table, version in stored.items() if table != ANY}
        return {t: v for t, v in self.of(tables).items() if t != ANY} == tables


@contextmanager
def reading():
    """Record the tables read inside the block; yields its Reading."""
    reading = Reading(Versions(), set())
    token = _reading.set(reading)
    try:
        yield reading
    finally:
        _reading.reset(token)


def current() -> Reading | None:
    """The Reading of the block this code runs in, if any."""
    return _reading.get()


def kept[T](key: str, compute: Callable[[], T], *, keep: Callable[[T], bool] = bool) -> T:
    """compute()'s value, kept in the cache while no table it read changes; only inside
    reading() (elsewhere it is simply computed). The tables it read count as read by the
    surrounding block too, whether it was computed or kept: a page that shows the value
    depends on them."""
    outer = _reading.get()
    if outer is None:
        return compute()
    key = KEPT_KEY.format(key)
    entry = outer.versions.lookup(key)
    if entry is not None and outer.versions.match(entry[0]):
        outer.tables.update(entry[0].keys() - {ANY})
        return entry[1]
    inner = Reading(outer.versions, set())
    token = _reading.set(inner)
    try:
        value = compute()
    finally:
        _reading.reset(token)
        outer.tables.update(inner.tables)
    if keep(value):
        cache.set(key, (outer.versions.of(inner.tables), value), KEPT_SECONDS)
    return value


def clear() -> None:
    """Move every table's version: every page kept so far is out of date."""
    _new_versions(all_tables())
