"""Demo satisfaction ratings for the served tickets of the queue demo history.

Why a bulk path and not `feedback.services.rate_ticket`: the history tickets never passed
through the queue services (motcua.demo.queue), and nobody rated them either. `rate_ticket`
would lock each ticket, stamp its audit event with today's clock and write one audit row per
rating, hundreds of "feedback.rate" events that no citizen made. So, like the history, the
ratings are bulk-written with explicit timestamps shortly after each ticket was finished, and
one summary event (`demo.ratings_loaded`) says that illustrative ratings were added. Each
answer still goes through `feedback.services.clean_answer` (the rule that a "not satisfied"
needs a reason, and "other" a comment) and the rows carry exactly what `rate_ticket` copies
from the ticket (unit, officer, counter, service, dossier code), so the statistics page counts
them like real ones.

Deterministic and idempotent: whether a ticket is rated, and how, is drawn from a generator
seeded with the commune code, the ticket's day and its code, so a second load draws the same
answers and finds those tickets already rated. Only bulk history tickets are rated: a ticket
issued through the queue service always has an `access_token`; the history never has one, so a
ticket a real citizen took (and may still rate) is never given an invented answer.
All figures are illustrative (docs/data-sources.md).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from motcua.core import audit
from motcua.core.models import Unit
from motcua.demo.services import demo_logins_allowed
from motcua.feedback.models import Channel, Level, Rating, Reason
from motcua.feedback.services import clean_answer
from motcua.queueing import services as queue_services
from motcua.queueing.models import Ticket

BATCH_SIZE = 500
RATED_SHARE = 0.6
# Levels by how long the citizen waited (minutes from taking the number to the first call):
# across the demo's waits this comes to about 70% very satisfied, 25% satisfied, 5% not.
LEVELS_BY_WAIT = (
    (15, {Level.VERY_SATISFIED: 80, Level.SATISFIED: 18, Level.NOT_SATISFIED: 2}),
    (35, {Level.VERY_SATISFIED: 70, Level.SATISFIED: 27, Level.NOT_SATISFIED: 3}),
    (None, {Level.VERY_SATISFIED: 50, Level.SATISFIED: 34, Level.NOT_SATISFIED: 16}),
)
REASONS_AFTER_A_LONG_WAIT = {Reason.LONG_WAIT: 70, Reason.MANY_TRIPS: 10, Reason.OTHER: 20}
REASONS = {
    Reason.UNCLEAR_GUIDANCE: 35,
    Reason.MANY_TRIPS: 25,
    Reason.ATTITUDE: 15,
    Reason.LONG_WAIT: 10,
    Reason.OTHER: 15,
}
LONG_WAIT_MINUTES = 35
# what a resident writes when they choose "Lý do khác" (a comment is required then)
OTHER_COMMENTS = (
    "Phòng chờ nóng, quạt không đủ.",
    "Không có chỗ để xe máy.",
    "Máy lấy số hết giấy, phải chờ cán bộ thay.",
    "Loa gọi số nhỏ, ngồi cuối phòng không nghe rõ.",
    "Thiếu ghế ngồi giờ cao điểm.",
)
KIND_WORDS = (
    "Cán bộ hướng dẫn nhiệt tình, dễ hiểu.",
    "Làm nhanh, cảm ơn cán bộ.",
    "Lấy số trên điện thoại rất tiện.",
)
KIND_WORDS_SHARE = 0.06


@dataclass
class RatingLoadResult:
    unit: Unit
    created: int = 0
    served: int = 0
    rated: int = 0
    refused: bool = False


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def draw(ticket: Ticket, unit_code: str) -> Rating | None:
    """The rating this history ticket gets, or None when its citizen left without rating."""
    rng = random.Random(f"motcua-demo-rating:{unit_code}:{ticket.day.isoformat()}:{ticket.code}")
    if rng.random() >= RATED_SHARE:
        return None
    waited = (ticket.called_at - ticket.issued_at).total_seconds() / 60
    weights = next(w for limit, w in LEVELS_BY_WAIT if limit is None or waited <= limit)
    level = _weighted(rng, weights)
    reason = comment = ""
    if level == Level.NOT_SATISFIED:
        reason = _weighted(
            rng, REASONS_AFTER_A_LONG_WAIT if waited > LONG_WAIT_MINUTES else REASONS
        )
        if reason == Reason.OTHER:
            comment = rng.choice(OTHER_COMMENTS)
    elif level == Level.VERY_SATISFIED and rng.random() < KIND_WORDS_SHARE:
        comment = rng.choice(KIND_WORDS)
    level, reason, comment = clean_answer(level=level, reason=reason, comment=comment)

    # a remote ticket's citizen rates on their phone, usually some time after leaving; the
    # others mostly tap the counter tablet on the way out
    if ticket.source == Ticket.Source.REMOTE:
        channel = _weighted(rng, {Channel.PHONE: 85, Channel.COUNTER_TABLET: 15})
    else:
        channel = _weighted(rng, {Channel.COUNTER_TABLET: 75, Channel.KIOSK: 15, Channel.PHONE: 10})
    delay = {
        Channel.COUNTER_TABLET: (15, 120),
        Channel.KIOSK: (60, 300),
        Channel.PHONE: (300, 3 * 3600),
    }[channel]
    return Rating(
        unit_id=ticket.unit_id,
        ticket=ticket,
        dossier_code=ticket.dossier_code,
        level=level,
        reason=reason,
        comment=comment,
        channel=channel,
        officer_id=ticket.served_by_id,
        counter_id=ticket.counter_id,
        service_id=ticket.service_id,
        created_at=ticket.finished_at + dt.timedelta(seconds=rng.randint(*delay)),
    )


def history_to_rate(*, unit: Unit, today: dt.date):
    """Served history tickets of the unit before today that have no rating yet."""
    return (
        Ticket.objects.filter(
            unit=unit,
            day__lt=today,
            status=Ticket.Status.DONE,
            access_token__isnull=True,  # bulk demo history only (module docstring)
            finished_at__isnull=False,
            called_at__isnull=False,
            rating__isnull=True,
        )
        .order_by("day", "issued_service_id", "number")
        .only(
            "pk",
            "unit_id",
            "day",
            "code",
            "source",
            "issued_at",
            "called_at",
            "finished_at",
            "dossier_code",
            "served_by_id",
            "counter_id",
            "service_id",
        )
    )


def load_ratings(
    *, unit_codes: list[str], today: dt.date | None = None, actor=None
) -> list[RatingLoadResult]:
    """Rate about 60% of the served history tickets of each unit (one transaction each).

    `today` defaults to the queue's clock, as in `demo.queue.load_queue`.
    """
    today = today or queue_services.local_day(queue_services.now())
    results = []
    for unit in Unit.objects.filter(code__in=unit_codes).order_by("code"):
        result = RatingLoadResult(unit=unit)
        if not demo_logins_allowed():
            # a production install (DJANGO_SECURE=1) must not get invented satisfaction
            result.refused = True
            results.append(result)
            continue
        with transaction.atomic():
            ratings = [
                r
                for t in history_to_rate(unit=unit, today=today)
                if (r := draw(t, unit.code)) is not None
            ]
            Rating.objects.bulk_create(ratings, batch_size=BATCH_SIZE)
            result.created = len(ratings)
            if ratings:
                audit.record(
                    action="demo.ratings_loaded",
                    object_type="feedback.rating",
                    actor=actor,
                    unit=unit,
                    changes={
                        "ratings": result.created,
                        "note": "đánh giá minh họa, ghi hàng loạt, không qua nghiệp vụ đánh giá",
                    },
                )
        history = Ticket.objects.filter(
            unit=unit, day__lt=today, status=Ticket.Status.DONE, access_token__isnull=True
        )
        result.served = history.count()
        result.rated = history.filter(rating__isnull=False).count()
        results.append(result)
    return results


def summary_line(result: RatingLoadResult) -> str:
    """One line of load_demo's output for a unit."""
    if result.refused:
        return f"Đánh giá hài lòng {result.unit.name}: không tạo đánh giá mẫu khi DJANGO_SECURE=1."
    return (
        f"Đánh giá hài lòng {result.unit.name}: {result.rated}/{result.served} lượt đã phục vụ "
        f"có đánh giá minh họa ({result.created} mới)."
    )
