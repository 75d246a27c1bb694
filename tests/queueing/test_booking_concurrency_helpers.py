"""Thread helper for the booking concurrency tests (no tests here)."""

import threading

from django.db import connection


def run_together(workers: int, job):
    """Start `workers` threads at the same instant; each has its own database connection."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers
    errors: list = []

    def run(i):
        try:
            barrier.wait()
            results[i] = job(i)
        except Exception as exc:  # noqa: BLE001  surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results
