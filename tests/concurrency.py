"""Running calls at the same moment, for the concurrency tests and their negative controls."""

import threading

from django.db import connection


def at_once(calls) -> list:
    """Run each call in its own thread with its own database connection, all released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # The test inspects what each thread got.
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
