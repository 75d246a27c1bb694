"""The pure priority rule, checked for any arrival sequence (hypothesis)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.queueing.priority import Candidate, choose

T0 = dt.datetime(2026, 11, 17, 2, 0, tzinfo=dt.UTC)

# A day at one counter: each step either a citizen arrives (priority or not) or the counter calls.
steps = st.lists(
    st.one_of(st.just("call"), st.sampled_from(["arrive_priority", "arrive_ordinary"])),
    max_size=120,
)


def simulate(sequence, limit):
    """Run the rule; returns the called tickets and, per ordinary ticket, the priority calls it
    watched while it was the oldest ordinary ticket waiting."""
    waiting: list[Candidate] = []
    streak = 0
    called: list[Candidate] = []
    watched: dict[int, int] = {}
    for i, step in enumerate(sequence):
        if step.startswith("arrive"):
            waiting.append(
                Candidate(i, step == "arrive_priority", T0 + dt.timedelta(seconds=i), len(waiting))
            )
            continue
        head = min(
            (c for c in waiting if not c.is_priority),
            default=None,
            key=lambda c: (c.issued_at, c.number),
        )
        choice = choose(waiting, streak=streak, limit=limit)
        if choice is None:
            continue
        streak = choice.streak_after
        waiting.remove(choice.candidate)
        called.append(choice.candidate)
        if head is not None and choice.candidate.is_priority:
            watched[head.ticket_id] = watched.get(head.ticket_id, 0) + 1
    return called, watched, waiting


@settings(max_examples=300, deadline=None)
@given(sequence=steps, limit=st.integers(min_value=1, max_value=4))
def test_no_ordinary_citizen_first_in_line_waits_behind_more_than_k_priority_calls(sequence, limit):
    _called, watched, _left = simulate(sequence, limit)
    assert all(n <= limit for n in watched.values())


@settings(max_examples=300, deadline=None)
@given(sequence=steps, limit=st.integers(min_value=1, max_value=4))
def test_within_each_group_citizens_are_called_in_order_of_arrival(sequence, limit):
    called, _watched, _left = simulate(sequence, limit)
    for group in (True, False):
        order = [c.ticket_id for c in called if c.is_priority is group]
        assert order == sorted(order)


@settings(max_examples=300, deadline=None)
@given(sequence=steps, limit=st.integers(min_value=1, max_value=4))
def test_a_counter_never_idles_while_someone_waits(sequence, limit):
    """Every call takes somebody when the queue is not empty (no one is held back for fairness)."""
    waiting = 0
    calls_with_people = 0
    for step in sequence:
        if step == "call":
            if waiting:
                calls_with_people += 1
                waiting -= 1
        else:
            waiting += 1
    called, _watched, _left = simulate(sequence, limit)
    assert len(called) == calls_with_people


def test_a_priority_ticket_goes_first_when_the_streak_allows():
    ordinary = Candidate(1, False, T0, 1)
    elderly = Candidate(2, True, T0 + dt.timedelta(minutes=5), 2)
    assert choose([ordinary, elderly], streak=0, limit=2).candidate == elderly
    assert choose([ordinary, elderly], streak=2, limit=2).candidate == ordinary
    assert choose([], streak=0, limit=2) is None


def test_ties_in_issue_time_go_by_number():
    a = Candidate(7, False, T0, 2)
    b = Candidate(8, False, T0, 1)
    assert choose([a, b], streak=0, limit=2).candidate == b
