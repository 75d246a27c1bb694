"""The counter's fee page (/can-bo/thu-phi/ho-so/<pk>/): the lines with their legal basis, the
reliefs the officer checked, cash taken once however often the button is pressed, and the
refusals (another role, another unit, a forged action)."""

import datetime as dt

import pytest
from django.urls import reverse

from motcua.catalog.models import Fee
from motcua.payments.models import FeeRelief, PaymentAttempt, PaymentRequest
from tests.dossiers.factories import receive

pytestmark = pytest.mark.django_db


def page(dossier) -> str:
    return reverse("payments:counter_fees", args=[dossier.pk])


def test_the_officer_sees_the_lines_with_their_basis_and_takes_cash_once(client, world):
    Fee.objects.filter(procedure=world.procedure).update(legal_basis="NQ 12/2018/NQ-HĐND")
    dossier = receive(world)
    client.force_login(world.officer)
    shown = client.get(page(dossier)).content.decode()
    assert "NQ 12/2018/NQ-HĐND" in shown and "8.000\u00a0đ" in shown
    assert client.post(page(dossier), {"action": "request"}).status_code == 302
    form = client.get(page(dossier)).content.decode()
    key = form.split('name="key" value="')[1].split('"')[0]
    for _ in range(2):  # a double click
        assert client.post(page(dossier), {"action": "cash", "key": key}).status_code == 302
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == "paid" and attempt.method == "cash"
    assert attempt.created_by == world.officer
    assert 'data-testid="fee-paid"' in client.get(page(dossier)).content.decode()


def test_a_checked_relief_is_applied_and_shown_with_its_basis(client, world):
    FeeRelief.objects.create(
        unit=world.province,
        name="Miễn lệ phí hộ tịch cho người thuộc hộ nghèo",
        legal_basis="TT 85/2019/TT-BTC",
        condition="poor_household",
        percent=100,
        valid_from=dt.date(2020, 1, 1),
    )
    dossier = receive(world)
    client.force_login(world.officer)
    client.post(page(dossier), {"action": "request", "condition": ["poor_household", "bogus"]})
    request = PaymentRequest.objects.get()
    assert request.amount_vnd == 0 and request.status == "paid"
    assert "TT 85/2019/TT-BTC" in client.get(page(dossier)).content.decode()


def test_other_roles_and_units_are_refused_and_bad_actions_explained(client, world):
    dossier = receive(world)
    client.force_login(world.specialist)
    assert client.get(page(dossier)).status_code == 403
    client.force_login(world.other_officer)
    assert client.get(page(dossier)).status_code == 404
    client.force_login(world.officer)
    refused = client.post(page(dossier), {"action": "cash", "key": "k"})
    assert refused.status_code == 400 and "Chưa lập yêu cầu" in refused.content.decode()
    assert client.post(page(dossier), {"action": "refund"}).status_code == 400
    assert not PaymentAttempt.objects.exists()
