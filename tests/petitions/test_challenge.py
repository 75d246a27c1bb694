"""The anonymous form's proof-of-work: a forged, edited, expired, unsolved or replayed challenge
is refused; a solved one submits one petition."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing

from motcua.petitions import challenge
from motcua.petitions.models import Petition, SpentChallenge

from .conftest import at, petition_in, submit

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 17)


def _spend(token, nonce, now=NOW):
    challenge.spend(token, nonce, now=now)


def test_a_solved_challenge_is_spent_once(world):
    token = challenge.issue(now=NOW)
    nonce = challenge.solve(token)
    assert challenge.work(token, nonce) >= 8
    _spend(token, nonce)
    with pytest.raises(challenge.ChallengeRefused) as caught:
        _spend(token, nonce)
    assert caught.value.code == "replay"
    assert "đã được gửi" in caught.value.message


def test_forged_edited_unsolved_and_expired_challenges_are_refused(world, settings):
    token = challenge.issue(now=NOW)
    payload = signing.loads(token, salt=challenge.SALT)
    # signed with another key (or hand-made): forged
    forged = signing.dumps(payload, key="not-our-secret", salt=challenge.SALT)
    # asking for fewer bits needs a new signature, which only the server can make
    body = signing.dumps({**payload, "b": 0}, salt=challenge.SALT).rsplit(":", 1)[0]
    easier = body + ":" + token.rsplit(":", 1)[1]
    cases = {
        "forged": (forged, challenge.solve(token)),
        "edited": (easier, "0"),
        "wrong": (token, next(str(n) for n in range(999) if challenge.work(token, str(n)) < 8)),
        "missing": (token, ""),
    }
    for name, (t, nonce) in cases.items():
        with pytest.raises(challenge.ChallengeRefused) as caught:
            _spend(t, nonce)
        assert caught.value.code in {"forged", "wrong", "missing"}, name
    old = challenge.issue(
        now=NOW - dt.timedelta(seconds=settings.MOTCUA_PETITION_CHALLENGE_SECONDS + 5)
    )
    with pytest.raises(challenge.ChallengeRefused) as caught:
        _spend(old, challenge.solve(old))
    assert caught.value.code == "expired"
    # a challenge made when 8 bits were asked does not pass once the server asks for more
    settings.MOTCUA_PETITION_POW_BITS = 12
    with pytest.raises(challenge.ChallengeRefused):
        _spend(token, challenge.solve(token))
    assert not SpentChallenge.objects.exists()


def test_the_same_solved_form_sent_twice_gives_one_petition(world):
    from motcua.petitions import services

    token = challenge.issue(now=NOW)
    nonce = challenge.solve(token)
    services.submit(
        unit=world.commune, data=petition_in(world), now=NOW, challenge_token=token, nonce=nonce
    )
    with pytest.raises(challenge.ChallengeRefused):
        services.submit(
            unit=world.commune, data=petition_in(world), now=NOW, challenge_token=token, nonce=nonce
        )
    assert Petition.objects.count() == 1


def test_spent_challenges_are_purged_once_they_could_no_longer_be_used(world, settings):
    submit(world, when=NOW)
    assert challenge.purge(now=NOW) == 0
    later = NOW + dt.timedelta(seconds=settings.MOTCUA_PETITION_CHALLENGE_SECONDS + 1)
    assert challenge.purge(now=later) == 1


def test_leading_zero_bits():
    assert challenge.leading_zero_bits(b"\x00\x00\x80") == 16
    assert challenge.leading_zero_bits(b"\x00\x01") == 15
    assert challenge.leading_zero_bits(b"\xff") == 0
