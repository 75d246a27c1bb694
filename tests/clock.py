"""A clock tests can move: fixtures patch the one clock an app reads with an instance of it."""

import datetime as dt


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
