"""The payment figures (`payments.figures`) on a hand-counted commune, November 2026.

Procedures (published by the province, so carried out in the commune), each with a fee of 8.000 đ
except P0:
  P1, P2, P6 fee-bearing; P0 only "0 đồng" (not fee-bearing); P7 fee-bearing but not published;
  P8 published by the other commune (not this commune's).
Dossiers received by the commune:
  d1 P1, 2/11: paid by VietQR 8.000 on 3/11                      -> online
  d2 P1, 2/11: paid on the national platform 8.000 on 3/11       -> online
  d3 P2, 2/11: financial obligation of 500.000 paid in cash      -> not online
  d4 P2, 2/11: fee request made, nothing paid yet                -> owes, unpaid
  d5 P1, 2/11: no request yet, 8.000 in fees at reception        -> owes, unpaid
  d6 P1, 2/11: exempted (poor household, 100%): request of 0 đ   -> owes nothing
  d7 P2, 2/11: paid by VietQR 8.000 on 3/11, refunded on 4/11     -> transaction, not paid online
  d9 P1, 20/10 (received before the period): VietQR 8.000 on 3/11 -> transaction only
  d8 at the other commune, paid by VietQR                         -> not this commune's
"""

import pytest

from motcua.catalog.models import Fee
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Department
from motcua.payments import figures, services
from motcua.payments.models import FeeRelief, PaymentRequest
from tests.dossiers.factories import applicant, at, make_procedure, receive

pytestmark = pytest.mark.django_db
NOV = figures.Scope(unit_ids=(), date_from=at(2026, 11, 1).date(), date_to=at(2026, 11, 30).date())
PAID = at(2026, 11, 3, 10)


def pay(world, dossier, method, *, officer=None, request=None):
    officer = officer or world.officer
    request = request or services.request_fees(officer, dossier_id=dossier.pk, at=PAID)
    if method in ("cash", "card"):
        return services.take_at_counter(
            officer, request_id=request.pk, method=method, idempotency_key="k", at=PAID
        )
    attempt = services.start_attempt(
        officer, request_id=request.pk, method=method, idempotency_key="k", at=PAID
    )
    services.record_paid(
        None,
        report=services.Report(
            reference=attempt.reference,
            amount_vnd=attempt.amount_vnd,
            transaction_id=f"T-{attempt.reference}",
        ),
        at=PAID,
    )
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def commune(world):
    p1 = world.procedure
    p2 = make_procedure(world.province, name="Chứng thực chữ ký")
    p2.department = Department.objects.get(unit=world.commune, code="vhxh")
    p2.save()
    make_procedure(world.province, name="Cấp bản sao trích lục hộ tịch")  # P6, never paid online
    p0 = make_procedure(world.province, name="Xác nhận tình trạng hôn nhân")
    Fee.objects.filter(procedure=p0, amount_vnd__gt=0).delete()
    make_procedure(world.province, name="Thủ tục chưa công khai", is_published=False)  # P7
    make_procedure(world.other, name="Thủ tục của xã khác")  # P8
    FeeRelief.objects.create(
        unit=world.province,
        name="Miễn cho hộ nghèo",
        legal_basis="NQ 01/2026/NQ-HĐND",
        condition=FeeRelief.Condition.POOR_HOUSEHOLD,
        percent=100,
        valid_from=at(2026, 1, 1).date(),
    )
    nov2 = at(2026, 11, 2, 9)
    d = {name: receive(world, nov2, procedure=p) for name, p in [
        ("d1", p1), ("d2", p1), ("d3", p2), ("d4", p2), ("d5", p1), ("d6", p1), ("d7", p2),
    ]}  # fmt: skip
    d["d9"] = receive(world, at(2026, 10, 20, 9), procedure=p1)
    pay(world, d["d1"], "vietqr")
    pay(world, d["d2"], "platform")
    obligation = PaymentRequest.objects.create(
        dossier=d["d3"],
        unit=world.commune,
        purpose=PaymentRequest.Purpose.OBLIGATION,
        reference=f"{d['d3'].code}-NV1",
        amount_vnd=500_000,
        created_at=PAID,
    )
    pay(world, d["d3"], "cash", request=obligation)
    services.request_fees(world.officer, dossier_id=d["d4"].pk, at=PAID)
    exempt = services.request_fees(
        world.officer, dossier_id=d["d6"].pk, conditions=frozenset({"poor_household"}), at=PAID
    )
    assert exempt.amount_vnd == 0
    refunded = pay(world, d["d7"], "vietqr")
    services.refund(
        world.manager, attempt_id=refunded.pk, amount_vnd=8000, reason="Nộp nhầm", at=PAID
    )
    pay(world, d["d9"], "vietqr")
    elsewhere = dossier_services.receive_at_counter(
        world.other_officer,
        procedure=p1,
        receiving_unit=world.other,
        applicant=applicant(),
        at=nov2,
    )
    pay(world, elsewhere, "vietqr", officer=world.other_officer)
    return {"p1": p1, "p2": p2, **d}


def scope(world, **kw) -> figures.Scope:
    return figures.Scope(
        **{
            "unit_ids": (world.commune.pk,),
            "date_from": NOV.date_from,
            "date_to": NOV.date_to,
            **kw,
        }
    )


def test_the_commune_in_november_by_hand(world, commune):
    f = figures.figures(scope(world))
    # transactions credited in November: d1, d2, d7, d9 online (4), d3 cash (1) -> 4/5 = 80%
    assert (f.transactions.numerator, f.transactions.denominator) == (4, 5)
    assert f.transactions.percent == 80.0
    # amounts: online 4 x 8.000 = 32.000; all 32.000 + 500.000 = 532.000 -> 6,02%
    assert (f.amounts.numerator, f.amounts.denominator) == (32_000, 532_000)
    assert f.amounts.percent == 6.02
    # fee-bearing procedures: P1, P2, P6 (not P0: 0 đồng; not P7: unpublished; not P8: the
    # other commune's); paid online: P1 (d1, d2, d9), P2 (d7, refunded later) -> 2/3
    assert (f.procedures.numerator, f.procedures.denominator) == (2, 3)
    assert f.procedures.percent == 66.67
    # dossiers received in November owing money: d1, d2, d3, d4, d5, d7 (not d6: exempted;
    # not d9: received in October); paid online and kept: d1, d2 -> 2/6
    assert (f.dossiers.numerator, f.dossiers.denominator) == (2, 6)
    assert f.dossiers.percent == 33.33
    assert [(m.method, m.count, m.amount_vnd) for m in f.by_method] == [
        ("platform", 1, 8000),
        ("vietqr", 3, 24000),
        ("cash", 1, 500_000),
        ("card", 0, 0),
    ]
    owing = set(figures.obligation_dossiers(scope(world)).values_list("pk", flat=True))
    assert owing == {commune[k].pk for k in ("d1", "d2", "d3", "d4", "d5", "d7")}


def test_one_department_and_one_procedure(world, commune):
    dept = commune["p2"].department
    f = figures.figures(scope(world, department_id=dept.pk))
    # P2 only: d3 cash, d7 VietQR -> 1/2; P2 paid online (d7) 1/1; dossiers d3, d4, d7: 0/3
    assert (f.transactions.numerator, f.transactions.denominator) == (1, 2)
    assert (f.procedures.numerator, f.procedures.denominator) == (1, 1)
    assert (f.dossiers.numerator, f.dossiers.denominator) == (0, 3)

    f = figures.figures(scope(world, procedure_code=commune["p1"].code))
    # P1: d1, d2, d9 all online -> 3/3; dossiers d1, d2, d5 -> 2/3
    assert (f.transactions.numerator, f.transactions.denominator) == (3, 3)
    assert (f.dossiers.numerator, f.dossiers.denominator) == (2, 3)
    lines = figures.by_procedure(scope(world))
    assert [(x.code, x.transactions, x.online_transactions, x.amount_vnd) for x in lines] == sorted(
        [
            (commune["p1"].code, 3, 3, 24_000),
            (commune["p2"].code, 2, 1, 508_000),
        ]
    )


def test_nothing_to_count_is_no_data_not_zero(world):
    f = figures.figures(
        scope(world, date_from=at(2027, 1, 1).date(), date_to=at(2027, 1, 31).date())
    )
    assert f.transactions.denominator == 0 and f.transactions.percent is None
    assert f.dossiers.percent is None
