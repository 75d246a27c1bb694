"""A proof-of-work challenge for the anonymous petition form, with no third party.

The server hands the page a signed challenge: a random id, when it was made, how many leading
zero bits it asks for. The page's script (`static/petitions/pow.js`) counts a nonce up until
SHA-256("<challenge>:<nonce>") starts with that many zero bits, and sends the nonce with the
form. The server checks, in this order and without trusting anything the browser says:

1. the signature (`django.core.signing`, salted for this use): a challenge the server did not
   make, or one edited to ask for fewer bits, is refused;
2. its age: older than `MOTCUA_PETITION_CHALLENGE_SECONDS` is refused (a stock of solved
   challenges made in advance goes stale);
3. the work: the hash of the challenge and the nonce must have the zero bits;
4. once only: its id is inserted into `SpentChallenge`, whose primary key refuses a second
   insert, so two submissions of one solved challenge, even at the same instant, give one
   petition.

At 16 bits a phone tries about 65,000 hashes (well under a second to a few seconds on a cheap
phone); a script that wants 1,000 petitions pays 65 million hashes, and the per-address rate
limit (`MOTCUA_PETITION_IP_LIMIT`) still applies on top.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SpentChallenge

SALT = "motcua.petitions.challenge"


class ChallengeRefused(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(code)
        self.message = message
        self.code = code


def bits() -> int:
    return int(settings.MOTCUA_PETITION_POW_BITS)


def issue(*, now: dt.datetime | None = None) -> str:
    """A new signed challenge (a string the page solves and sends back)."""
    now = now or timezone.now()
    payload = {"i": secrets.token_urlsafe(12), "t": int(now.timestamp()), "b": bits()}
    return signing.dumps(payload, salt=SALT, compress=False)


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def work(challenge: str, nonce: str) -> int:
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    return leading_zero_bits(digest)


def solve(challenge: str) -> str:
    """What the page's script does (for tests and tools): the first nonce that works."""
    payload = signing.loads(challenge, salt=SALT)
    n = 0
    while work(challenge, str(n)) < payload["b"]:
        n += 1
    return str(n)


def spend(challenge: str, nonce: str, *, now: dt.datetime | None = None) -> None:
    """Check the challenge and its nonce, and mark it used; ChallengeRefused says why not.

    Runs inside the caller's transaction when there is one: the petition and the spent
    challenge commit together (a refused petition leaves its challenge usable)."""
    now = now or timezone.now()
    if not challenge or not nonce or len(challenge) > 200 or len(nonce) > 20:
        raise ChallengeRefused(
            _("Trang chưa hoàn tất bước chống gửi tự động. Vui lòng chờ giây lát rồi gửi lại."),
            "missing",
        )
    try:
        payload = signing.loads(challenge, salt=SALT)
        made = dt.datetime.fromtimestamp(int(payload["t"]), tz=dt.UTC)
        wanted = int(payload["b"])
        ident = str(payload["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ChallengeRefused(
            _("Mã chống gửi tự động không hợp lệ. Vui lòng tải lại trang và gửi lại."), "forged"
        ) from exc
    lifetime = dt.timedelta(seconds=int(settings.MOTCUA_PETITION_CHALLENGE_SECONDS))
    if made > now + dt.timedelta(seconds=60) or now - made > lifetime:
        raise ChallengeRefused(
            _("Trang đã mở quá lâu. Vui lòng tải lại trang và gửi lại."), "expired"
        )
    if wanted < bits() or work(challenge, nonce) < wanted:
        raise ChallengeRefused(
            _("Mã chống gửi tự động không đúng. Vui lòng tải lại trang và gửi lại."), "wrong"
        )
    try:
        with transaction.atomic():
            SpentChallenge.objects.create(id=ident[:40], expires_at=made + lifetime)
    except IntegrityError as exc:
        raise ChallengeRefused(
            _("Phản ánh này đã được gửi. Để gửi phản ánh khác, vui lòng tải lại trang."), "replay"
        ) from exc


def purge(*, now: dt.datetime | None = None) -> int:
    """Forget challenges that can no longer be used anyway (their age refuses them)."""
    deleted, _rows = SpentChallenge.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
