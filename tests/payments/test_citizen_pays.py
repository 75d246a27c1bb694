"""The citizen pays their dossier's fees (/thanh-toan/ho-so/<code>/): the breakdown with its
legal basis, VietQR (the code, the bank-app link, the status until the bank's notification
credits it), the platform's page and the return that only CHECK is believed on; another
citizen's dossier or attempt is not found."""

import json

import pytest
from django.urls import reverse

from motcua.payments import bank
from motcua.payments.models import CollectionAccount, PaymentAttempt
from tests.citizens.myspace import HUNG_ID, LAN_ID, citizen
from tests.dossiers.factories import applicant, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def lan_dossier(world):
    CollectionAccount.objects.create(
        unit=world.commune,
        bank_bin="970415",
        bank_code="icb",
        bank_name="VietinBank",
        account_number="113366668888",
        account_name="UBND XA AN HUNG",
    )
    return receive(world, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))


def pay_url(dossier) -> str:
    return reverse("payments_public:pay", args=[dossier.code])


def test_lan_pays_by_vietqr_and_the_banks_notification_credits_it(client, lan_dossier, settings):
    settings.MOTCUA_BANK_WEBHOOK_SECRET = "s"
    client.force_login(citizen(LAN_ID))
    page = client.get(pay_url(lan_dossier)).content.decode()
    assert "8.000\u00a0đ" in page and 'data-testid="pay-vietqr"' in page
    chosen = client.post(pay_url(lan_dossier), {"method": "vietqr", "key": "k1"})
    again = client.post(pay_url(lan_dossier), {"method": "vietqr", "key": "k1"})  # double click
    assert chosen.status_code == again.status_code == 302 and chosen.url == again.url
    attempt = PaymentAttempt.objects.get()
    qr = client.get(chosen.url).content.decode()
    assert "<svg" in qr and attempt.reference in qr and "113366668888" in qr
    assert "ba=113366668888@icb" in qr
    body = json.dumps(
        {
            "transactionId": "FT1",
            "amount": 8000,
            "currency": "VND",
            "accountNumber": "113366668888",
            "description": attempt.reference,
        }
    ).encode()
    client.post(
        "/thanh-toan/ngan-hang/thong-bao/",
        data=body,
        content_type="application/json",
        headers={"X-Signature": bank.sign(body, "s")},
    )
    status = client.get(chosen.url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="paid"' in status and "hx-get" not in status
    assert 'data-testid="fee-paid"' in client.get(pay_url(lan_dossier)).content.decode()


def test_another_citizen_cannot_see_or_pay_lans_dossier(client, lan_dossier):
    client.force_login(citizen(LAN_ID))
    client.post(pay_url(lan_dossier), {"method": "vietqr", "key": "k1"})
    attempt = PaymentAttempt.objects.get()
    client.force_login(citizen(HUNG_ID, name="Trần Văn Hùng"))
    assert client.get(pay_url(lan_dossier)).status_code == 404
    assert client.post(pay_url(lan_dossier), {"method": "vietqr", "key": "k2"}).status_code == 404
    assert (
        client.get(reverse("payments_public:attempt", args=[attempt.reference])).status_code == 404
    )
    back = reverse("payments_public:platform_return") + f"?MaThamChieu={attempt.reference}"
    assert client.get(back).status_code == 404
    assert PaymentAttempt.objects.count() == 1


def test_a_forged_method_is_refused_and_staff_are_sent_away(client, lan_dossier, world):
    client.force_login(citizen(LAN_ID))
    refused = client.post(pay_url(lan_dossier), {"method": "cash", "key": "k"})
    assert refused.status_code == 400 and not PaymentAttempt.objects.exists()
    client.force_login(world.officer)
    assert client.get(pay_url(lan_dossier)).status_code == 403


def test_without_a_platform_the_platform_button_is_not_offered(client, lan_dossier, settings):
    settings.MOTCUA_PAYGOV_URL = ""
    client.force_login(citizen(LAN_ID))
    assert 'data-testid="pay-platform"' not in client.get(pay_url(lan_dossier)).content.decode()
    answer = client.post(pay_url(lan_dossier), {"method": "platform", "key": "k"})
    assert answer.status_code == 503


def test_while_her_vietqr_code_waits_the_page_leads_back_to_it_and_no_second_one_starts(
    client, lan_dossier
):
    client.force_login(citizen(LAN_ID))
    chosen = client.post(pay_url(lan_dossier), {"method": "vietqr", "key": "k1"})
    attempt = PaymentAttempt.objects.get()
    page = client.get(pay_url(lan_dossier)).content.decode()
    assert 'data-testid="pay-vietqr"' not in page and 'data-testid="waiting-attempt"' in page
    assert f'href="{chosen.url}"' in page  # back to her code and its status
    forced = client.post(pay_url(lan_dossier), {"method": "vietqr", "key": "k2"})
    assert forced.status_code == 409 and attempt.reference in forced.content.decode()
    assert PaymentAttempt.objects.count() == 1
