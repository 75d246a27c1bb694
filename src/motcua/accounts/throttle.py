"""Budgets of failed staff sign-ins, reserved before the password is checked.

Axes locks a username+IP pair after 5 failures, but it reads its count before the password is
checked and writes it after: 30 guesses sent at once would all be checked. So each sign-in first
takes a place in two budgets (`ratelimit.reserve`, one atomic step, decisions/0019):

- the account from this address: AXES_FAILURE_LIMIT (5) per cool-off window, as axes counts;
  a success clears it, as axes does (AXES_RESET_ON_SUCCESS);
- the address: MOTCUA_LOGIN_IP_FAILURE_LIMIT (50) per cool-off window, so an attacker spraying
  many usernames from one address is stopped. High, because a whole commune office usually
  shares one public IP: axes' own IP-only parameter would lock every officer out after five
  typos among them.

A failed sign-in keeps its places, a successful one gives them back; axes still keeps the lock
itself for its full cool-off time.
"""

from django.conf import settings

from motcua.core import ratelimit

SCOPE = "login-fail-ip"
ACCOUNT_SCOPE = "login-fail-account"


def _limit() -> int:
    return settings.MOTCUA_LOGIN_IP_FAILURE_LIMIT


def _account_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT or 5)


def _window() -> int:
    hours = float(settings.AXES_COOLOFF_TIME or 0.25)
    return max(60, int(hours * 3600))


class Attempt:
    """One sign-in's places; `refused` ("ip_blocked", "locked_out") when it may not be checked."""

    def __init__(self, *, refused: str = "", account: str = "", places=()) -> None:
        self.refused = refused
        self._account = account
        self._places = places

    def succeeded(self) -> None:
        """The password was right: the places go back and the account's failures are cleared."""
        self.cancel()
        if self._account:
            ratelimit.reset(ACCOUNT_SCOPE, self._account, window=_window())

    def cancel(self) -> None:
        """Not checked after all (an empty form, an error of ours): the places go back."""
        for place in self._places:
            place.release()


def admit(request, username: str) -> Attempt:
    """Reserve this sign-in's places before its password is checked, or say why it may not be."""
    ip = ratelimit.client_ip(request)
    address = ratelimit.reserve(SCOPE, ip, limit=_limit(), window=_window())
    if not address:
        return Attempt(refused="ip_blocked")
    account = f"{username}\x00{ip}"
    own = ratelimit.reserve(ACCOUNT_SCOPE, account, limit=_account_limit(), window=_window())
    if not own:
        address.release()
        return Attempt(refused="locked_out")
    return Attempt(account=account, places=(address, own))


def count_ip_failure(request) -> None:
    """A failure outside the password form (a wrong second-factor code): one more for the IP."""
    ratelimit.hit(SCOPE, ratelimit.client_ip(request), window=_window())
