# ruff: noqa: F811  (fixtures imported from test_booking_fixtures are used as arguments)
"""One phone rule and one citizen-ID rule (core.identifiers): a number the counter takes is taken
by booking, the queue app, adoption recording and the SMS sender alike, in the same stored form,
and a bad one gets the same sentence everywhere (issue 11: four phone rules used to disagree)."""

import pytest
from django.core.exceptions import ValidationError

from motcua.core import identifiers
from motcua.dossiers.counter_forms import ReceptionForm
from motcua.integrations import services as integrations
from motcua.queueing import services as queue
from motcua.queueing.citizen_forms import RemoteTicketForm
from tests.dossiers.factories import make_procedure

from .test_booking_fixtures import WEDNESDAY, at, hold, rule  # noqa: F401

pytestmark = pytest.mark.django_db

MOBILE_SPELLINGS = ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678"]
NOT_MOBILE = ["0412345678", "09123", "0212345678x", "12345", "+1 212 555 0100", "0" * 25]


@pytest.mark.parametrize("typed", MOBILE_SPELLINGS)
def test_every_spelling_of_a_mobile_is_stored_the_same_way_everywhere(
    typed, svc, hold, commune, clock
):
    assert identifiers.phone(typed) == "0912345678"
    assert hold(9, 0, phone=typed).phone == "0912345678"
    ticket = queue.issue_ticket(unit=commune, service=svc["A"], source="remote", phone=typed)
    assert ticket.phone == "0912345678"
    assert identifiers.e164(typed) == "+84912345678"


@pytest.mark.parametrize("typed", NOT_MOBILE)
def test_a_number_refused_by_one_screen_is_refused_by_all_with_the_same_sentence(
    typed, svc, hold, commune, clock
):
    sentences = set()
    for attempt in (
        lambda: identifiers.phone(typed),
        lambda: hold(9, 0, phone=typed),
        lambda: queue.issue_ticket(unit=commune, service=svc["A"], source="remote", phone=typed),
        lambda: integrations.notify(
            channel="sms", recipient=typed, purpose="result_ready", subject="", body="Có KQ"
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        sentences.add(tuple(refused.value.messages))
    assert sentences == {
        ("Số điện thoại không hợp lệ: cần số di động 10 chữ số (ví dụ 0912 345 678).",)
    }


def test_the_queue_app_form_cleans_the_phone_with_the_same_rule(svc, commune):
    form = RemoteTicketForm(
        {"service": svc["A"].pk, "phone": "+84 912.345.678", "key": "k" * 16, "age_group": ""},
        unit=commune,
    )
    form.is_valid()
    assert form.cleaned_data.get("phone") == "0912345678"
    bad = RemoteTicketForm(
        {"service": svc["A"].pk, "phone": "0412345678", "key": "k" * 16, "age_group": ""},
        unit=commune,
    )
    assert not bad.is_valid() and "cần số di động" in bad.errors["phone"][0]


def test_the_counter_takes_a_landline_for_the_applicant_but_not_nonsense(commune):
    procedure = make_procedure(commune)

    def phone_error(typed):
        form = ReceptionForm({"applicant_phone": typed}, procedure=procedure)
        form.is_valid()
        return form.errors.get("applicant_phone"), form.cleaned_data.get("applicant_phone")

    assert phone_error("024 3765 4321") == (None, "02437654321")
    assert phone_error("+84 912 345 678") == (None, "0912345678")
    error, _cleaned = phone_error("0412345678")
    assert error == ["Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc 024 3765 4321)."]


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("042090001234", True),
        ("042 090 001 234", True),
        ("042.090.001.234", True),
        ("04209000123", False),
        ("0420900012345", False),
        ("04209000123a", False),
        ("", False),
    ],
)
def test_one_citizen_id_rule_for_booking_and_identifiers(typed, ok, hold):
    assert identifiers.is_citizen_id(typed) is ok
    if ok:
        assert hold(9, 0, citizen_id=typed).citizen_id == "042090001234"
    elif typed:
        with pytest.raises(ValidationError, match="Số định danh cá nhân phải gồm đúng 12 chữ số"):
            hold(9, 0, citizen_id=typed)
