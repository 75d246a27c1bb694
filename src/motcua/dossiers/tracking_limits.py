"""Who may have a public tracking lookup judged: guessing is stopped per code and per address.

The secret is the last 4 digits of an ID number or phone, so a code is guessed by trying digits
and many codes are tried by walking the daily numbers. Two budgets, each reserved before the
digits are compared (`ratelimit.reserve`), so a burst of simultaneous guesses gets no more
answers than a slow one (decisions/0019):

- per code, whatever the address: 5 wrong tries in 15 minutes lock the code for 15 minutes. A
  locked code is refused before it is looked up, the right digits too, until the lock ends.
- per address: distinct codes tried without success (default 20 an hour). Looking up one's own
  code again and again, or one mistyped code, costs the address nothing or one place, so a
  commune hall behind one Wi-Fi address is never locked out by its visitors' typos.

A right answer gives back the places it reserved: only wrong tries are counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from motcua.core import ratelimit

CODE_SCOPE = "track-code"  # places held by tries of one code: the wrong ones stay
CODE_WRONG_SCOPE = "track-code-wrong"  # wrong tries of one code: the lock is set on these
ADDRESS_SCOPE = "track-ip-codes"  # places held by distinct codes one address tried
PAIR_SCOPE = "track-ip-code"  # this address already failed on this code in the window


def code_failures() -> int:
    return settings.MOTCUA_TRACKING_CODE_FAILURES


def code_lock_seconds() -> int:
    return settings.MOTCUA_TRACKING_CODE_LOCK


def address_codes() -> int:
    return settings.MOTCUA_TRACKING_IP_CODES


def address_window() -> int:
    return settings.MOTCUA_TRACKING_IP_WINDOW


@dataclass(frozen=True)
class Refused:
    """Not judged: the code is locked (`code_locked`) or the address spent its budget."""

    code_locked: bool
    retry_after: int


class Attempt:
    """A lookup allowed to be judged; tell it the outcome with `judged(found=...)`."""

    def __init__(self, code: str, ip: str, code_place, address_place) -> None:
        self.code, self.ip = code, ip
        self._code_place = code_place
        self._address_place = address_place

    def judged(self, *, found: bool) -> None:
        if found:
            self.cancel()
            return
        wrong = ratelimit.hit(CODE_WRONG_SCOPE, self.code, window=code_lock_seconds())
        if wrong >= code_failures():
            ratelimit.lock(CODE_SCOPE, self.code, seconds=code_lock_seconds())
        if self._address_place is not None:
            pair = _pair(self.ip, self.code)
            if ratelimit.hit(PAIR_SCOPE, pair, window=address_window()) > 1:
                # the same address failed on the same code at the same moment: one place each
                self._address_place.release()

    def cancel(self) -> None:
        """Give both places back: the lookup found its dossier, or was never judged."""
        self._code_place.release()
        if self._address_place is not None:
            self._address_place.release()


def _pair(ip: str, code: str) -> str:
    return f"{ip}\x00{code}"


def admit(code: str, ip: str) -> Attempt | Refused:
    """Reserve this lookup's places before its digits are compared, or refuse it."""
    locked = ratelimit.locked_for(CODE_SCOPE, code)
    if locked:
        return Refused(code_locked=True, retry_after=locked)
    address_place = None
    if not ratelimit.seen(PAIR_SCOPE, _pair(ip, code), window=address_window()):
        # a code this address has not failed on yet takes one of the address's places
        address_place = ratelimit.reserve(
            ADDRESS_SCOPE, ip, limit=address_codes(), window=address_window()
        )
        if not address_place:
            return Refused(code_locked=False, retry_after=address_place.retry_after)
    code_place = ratelimit.reserve(
        CODE_SCOPE, code, limit=code_failures(), window=code_lock_seconds()
    )
    if not code_place:
        if address_place is not None:
            address_place.release()
        return Refused(code_locked=True, retry_after=code_place.retry_after)
    return Attempt(code, ip, code_place, address_place)
