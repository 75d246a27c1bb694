"""A clock tests can move: fixtures patch the one clock an app reads with an instance of it."""

import datetime as dt
import time


class Clock:
    """A settable moment: calling it gives the time; `advance` and `set` move it."""

    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta) -> dt.datetime:
        self.current += dt.timedelta(**delta)
        return self.current

    def set(self, value: dt.datetime) -> dt.datetime:
        self.current = value
        return value


class Ticking(Clock):
    """A clock that starts at a chosen moment and runs with real time from there: the day and
    hour are the test's, durations (sign-in to submission) are measured for real."""

    def __init__(self, start: dt.datetime) -> None:
        super().__init__(start)
        self._origin = time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.current + dt.timedelta(seconds=time.monotonic() - self._origin)

    def set(self, value: dt.datetime) -> dt.datetime:
        self._origin = time.monotonic()
        return super().set(value)
