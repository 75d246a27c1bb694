"""Đánh giá mức độ hài lòng: who may rate what, once, and the reason rule (RULES.md section 8)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from motcua.core.models import AuditEvent
from motcua.dossiers.models import Channel as DossierChannel
from motcua.dossiers.models import Dossier, Status
from motcua.feedback import services
from motcua.feedback.models import Channel, Level, Rating, Reason
from tests.dossiers.factories import make_procedure


def test_a_served_ticket_is_rated_with_who_served_it_where_and_for_which_service(
    serve, officer, open_counters, svc
):
    ticket = serve("B", counter=1)

    rated = services.rate_ticket(ticket=ticket, level=Level.VERY_SATISFIED, channel=Channel.PHONE)

    rating = rated.rating
    assert rated.created
    assert (rating.unit_id, rating.ticket_id, rating.dossier_id) == (
        ticket.unit_id,
        ticket.pk,
        None,
    )
    assert rating.officer == officer
    assert rating.counter == open_counters[1]
    assert rating.service == svc["B"]
    assert rating.channel == Channel.PHONE
    event = AuditEvent.objects.filter(action="feedback.rate").get()
    assert event.object_id == str(rating.pk)
    assert event.changes["level"] == "very_satisfied"
    assert "comment" not in event.changes  # the citizen's words stay on the rating only


def test_a_double_tap_counts_once_and_never_overwrites_the_first_answer(serve):
    ticket = serve("A")
    first = services.rate_ticket(ticket=ticket, level=Level.SATISFIED)
    again = services.rate_ticket(ticket=ticket, level=Level.NOT_SATISFIED, reason=Reason.LONG_WAIT)

    assert not again.created
    assert again.rating.pk == first.rating.pk
    assert Rating.objects.get().level == Level.SATISFIED
    assert AuditEvent.objects.filter(action="feedback.rate").count() == 1


def test_not_satisfied_needs_a_reason_and_other_reason_needs_words(serve):
    ticket = serve("A")
    with pytest.raises(ValidationError) as no_reason:
        services.rate_ticket(ticket=ticket, level=Level.NOT_SATISFIED)
    assert no_reason.value.messages == [
        "Xin cho biết lý do bạn chưa hài lòng để chúng tôi khắc phục."
    ]
    with pytest.raises(ValidationError) as other_without_words:
        services.rate_ticket(
            ticket=ticket, level=Level.NOT_SATISFIED, reason=Reason.OTHER, comment="   "
        )
    assert "ghi rõ lý do" in other_without_words.value.messages[0]
    assert not Rating.objects.exists()

    rated = services.rate_ticket(
        ticket=ticket,
        level=Level.NOT_SATISFIED,
        reason=Reason.OTHER,
        comment="Phòng chờ nóng, không có quạt",
    )
    assert (rated.rating.reason, rated.rating.comment) == ("other", "Phòng chờ nóng, không có quạt")


def test_a_satisfied_citizen_may_leave_a_kind_word_but_no_complaint_reason(serve):
    rated = services.rate_ticket(
        ticket=serve("A"),
        level=Level.VERY_SATISFIED,
        reason=Reason.LONG_WAIT,
        comment="Cán bộ nhiệt tình",
    )
    assert (rated.rating.reason, rated.rating.comment) == ("", "Cán bộ nhiệt tình")


def test_a_ticket_not_yet_served_or_absent_cannot_be_rated(open_counters, officer, issue, clock):
    waiting = issue("A")
    with pytest.raises(ValidationError) as refused:
        services.rate_ticket(ticket=waiting, level=Level.SATISFIED)
    assert refused.value.messages == ["Chỉ đánh giá được sau khi bạn đã được phục vụ xong."]

    from motcua.queueing import services as queue

    counter = open_counters[1]
    queue.call_next(counter=counter, officer=officer)
    queue.recall(ticket=waiting, counter=counter, officer=officer)
    queue.recall(ticket=waiting, counter=counter, officer=officer)
    absent = queue.skip(ticket=waiting, counter=counter, officer=officer)
    with pytest.raises(ValidationError):
        services.rate_ticket(ticket=absent, level=Level.SATISFIED)
    assert not Rating.objects.exists()


def test_an_unknown_level_or_channel_is_refused_in_vietnamese(serve):
    ticket = serve("A")
    with pytest.raises(ValidationError) as bad_level:
        services.rate_ticket(ticket=ticket, level="5 sao")
    assert bad_level.value.messages == [
        "Xin chọn một mức: Rất hài lòng, Hài lòng hoặc Không hài lòng."
    ]
    with pytest.raises(ValidationError):
        services.rate_ticket(ticket=ticket, level=Level.SATISFIED, channel="fax")


def _rating(**fields) -> Rating:
    base = {
        "level": Level.SATISFIED,
        "channel": Channel.PHONE,
        "created_at": dt.datetime.now(dt.UTC),
    }
    return Rating(**{**base, **fields})


def test_the_database_itself_refuses_what_the_rules_forbid(serve, commune):
    ticket = serve("A")
    dossier = _returned_dossier(commune)
    cases = {
        "no subject": _rating(unit=commune),
        "two subjects": _rating(unit=commune, ticket=ticket, dossier=dossier),
        "not satisfied without reason": _rating(
            unit=commune, ticket=ticket, level=Level.NOT_SATISFIED
        ),
        "other reason without words": _rating(
            unit=commune, ticket=ticket, level=Level.NOT_SATISFIED, reason=Reason.OTHER
        ),
        "complaint reason on a good rating": _rating(
            unit=commune, ticket=ticket, reason=Reason.ATTITUDE
        ),
    }
    for name, rating in cases.items():
        with pytest.raises(IntegrityError), transaction.atomic():
            rating.save()
        assert not Rating.objects.exists(), name

    _rating(unit=commune, ticket=ticket).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _rating(unit=commune, ticket=ticket, level=Level.VERY_SATISFIED).save()
    assert Rating.objects.count() == 1


# --- dossiers ---------------------------------------------------------------------------------


def _returned_dossier(unit, *, status=Status.RETURNED, code="000.00.12.H42-261117-0001"):
    procedure = make_procedure(unit)
    return Dossier.objects.create(
        code=code,
        receiving_unit=unit,
        competent_unit=unit,
        procedure=procedure,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        processing_days=Decimal("5"),
        time_unit="working_days",
        rule_version="test",
        channel=DossierChannel.COUNTER,
        applicant_name="Trần Thị Bình",
        applicant_id_number="001203004567",
        status=status,
        submitted_at=dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC),
    )


def test_a_dossier_is_rated_once_after_its_result_is_returned(commune, officer, counters):
    dossier = _returned_dossier(commune)

    rated = services.rate_dossier(
        dossier=dossier,
        level=Level.NOT_SATISFIED,
        reason=Reason.MANY_TRIPS,
        channel=Channel.KIOSK,
        officer=officer,
        counter=counters[1],
    )
    again = services.rate_dossier(dossier=dossier, level=Level.VERY_SATISFIED, channel="online")

    rating = Rating.objects.get()
    assert rated.created and not again.created
    assert (rating.dossier_code, rating.procedure_code) == (dossier.code, dossier.procedure_code)
    assert (rating.level, rating.reason, rating.unit) == ("not_satisfied", "many_trips", commune)
    assert rating.counter == counters[1] and rating.officer == officer


def test_a_dossier_still_in_processing_cannot_be_rated(commune, other_commune, counters):
    dossier = _returned_dossier(commune, status=Status.PROCESSING)
    with pytest.raises(ValidationError) as refused:
        services.rate_dossier(dossier=dossier, level=Level.SATISFIED, channel=Channel.ONLINE)
    assert "đã trả kết quả" in refused.value.messages[0]

    from motcua.core.models import Counter

    elsewhere = Counter.objects.create(unit=other_commune, number=1, name="Một cửa")
    returned = _returned_dossier(commune, code="000.00.12.H42-261117-0002")
    with pytest.raises(ValidationError):
        services.rate_dossier(
            dossier=returned, level=Level.SATISFIED, channel=Channel.KIOSK, counter=elsewhere
        )
    assert not Rating.objects.exists()


def test_a_ticket_linked_to_a_dossier_carries_its_code_for_the_index(serve, officer):
    from motcua.queueing import services as queue

    ticket = serve("A")
    queue.link_dossier(ticket=ticket, dossier_code="000.00.12.H42-261117-0007", actor=officer)
    ticket.refresh_from_db()
    rating = services.rate_ticket(ticket=ticket, level=Level.SATISFIED).rating
    assert rating.dossier_code == "000.00.12.H42-261117-0007"
