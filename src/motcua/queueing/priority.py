"""Who is called next: priority first, with weighted fairness for the ordinary queue.

A pure function over plain data so the rule can be proven with property tests
(docs/decisions/0008-queue-priority.md):

- priority tickets (on-time appointment, elderly, disability, pregnant, merit) go first;
- but after `limit` consecutive priority calls at a counter, the next call takes the oldest
  ordinary ticket if one waits, so an ordinary citizen at the head of the line waits behind
  at most `limit` priority calls;
- within a group: oldest `issued_at` first, then the lower number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    is_priority: bool
    issued_at: datetime
    number: int


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    streak_after: int  # consecutive priority calls at the counter after this call


def _key(c: Candidate) -> tuple[datetime, int, int]:
    return (c.issued_at, c.number, c.ticket_id)


def pick_group(*, priority_waiting: bool, ordinary_waiting: bool, streak: int, limit: int) -> bool:
    """True to call from the priority group, False for the ordinary one (needs one waiting)."""
    if not priority_waiting:
        return False
    if not ordinary_waiting:
        return True
    return streak < limit


def choose(candidates: Iterable[Candidate], *, streak: int, limit: int) -> Choice | None:
    """The ticket to call among `candidates` (None if nobody waits) and the new streak."""
    candidates = list(candidates)
    priority = min((c for c in candidates if c.is_priority), key=_key, default=None)
    ordinary = min(
        (c for c in candidates if not c.is_priority),
        key=_key,
        default=None,
    )
    if priority is None and ordinary is None:
        return None
    if pick_group(
        priority_waiting=priority is not None,
        ordinary_waiting=ordinary is not None,
        streak=streak,
        limit=limit,
    ):
        return Choice(priority, streak + 1)
    return Choice(ordinary, 0)
