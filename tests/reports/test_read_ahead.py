"""Reading rows ahead in a helper thread: same rows in the same order, errors raised here, and a
consumer that stops early stops the helper and closes the source."""

import threading

import pytest

from sessions.reports.read_ahead import read_ahead


def test_every_row_arrives_in_order():
    assert list(read_ahead(iter(range(10_001)), chunk_size=100)) == list(range(10_001))
    assert list(read_ahead(iter([]), chunk_size=100)) == []


def test_an_error_in_the_source_is_raised_to_the_consumer():
    def rows():
        yield from range(250)
        raise ValueError("the database went away")

    received = []
    with pytest.raises(ValueError, match="went away"):
        for row in read_ahead(rows(), chunk_size=100):
            received.append(row)
    # The rows before the error, in order, whole chunks only.
    assert received == list(range(len(received))) and len(received) >= 200


def test_stopping_early_stops_the_helper_and_closes_the_source():
    closed = threading.Event()

    def rows():
        try:
            yield from range(1_000_000)
        finally:
            closed.set()

    reader = read_ahead(rows(), chunk_size=10, depth=2)
    assert [next(reader) for _ in range(25)] == list(range(25))
    reader.close()

    assert closed.is_set()
    assert not any(thread.name == "read-ahead" for thread in threading.enumerate())
