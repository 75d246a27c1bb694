"""The simulator's bank (`paysim.bank`): a tester makes a VietQR transfer on its page and the
bank itself POSTs the signed notification to motcua over real HTTP (pytest-django's live
server); it can send twice, hold its notifications and send them newest first, or find motcua
unreachable and send again later. A transfer to another account than the unit's collection
account is refused with its code and logged."""

import logging

import pytest
import requests
from django.urls import reverse

from motcua.payments import services
from motcua.payments.models import CollectionAccount, PaymentAttempt, PaymentRequest
from motcua.paysim import bank as simulated_bank
from motcua.paysim.models import Behaviour, SimulatedTransfer
from tests.citizens.myspace import LAN_ID, citizen
from tests.dossiers.factories import applicant, receive

from .helpers import WHEN

pytestmark = pytest.mark.django_db(transaction=True)
A = PaymentAttempt.Status
SECRET = "bi-mat-voi-ngan-hang"
ACCOUNT = "113366668888"


@pytest.fixture
def bank_url(settings, live_server):
    """The simulator mounted, motcua served by a real HTTP server; both sides share the secret."""
    settings.ROOT_URLCONF = "tests.payments.urls_with_simulator"
    settings.MOTCUA_BANK_WEBHOOK_SECRET = settings.MOTCUA_PAYSIM_BANK_SECRET = SECRET
    settings.MOTCUA_PAYSIM_BANK_NOTIFY_URL = ""
    return f"{live_server.url}/gia-lap/thanh-toan/ngan-hang/"


def account_for(unit_id: int, number: str = ACCOUNT) -> CollectionAccount:
    return CollectionAccount.objects.create(
        unit_id=unit_id,
        bank_bin="970415",
        bank_code="icb",
        bank_name="VietinBank",
        account_number=number,
        account_name="UBND XA AN HUNG",
    )


def qr_attempt(world, *, key: str = "qr", with_account: bool = True) -> PaymentAttempt:
    dossier = receive(world)
    request = services.request_fees(world.officer, dossier_id=dossier.pk, at=WHEN)
    if with_account and not CollectionAccount.objects.filter(unit_id=request.unit_id).exists():
        account_for(request.unit_id)
    return services.start_attempt(
        world.officer, request_id=request.pk, method="vietqr", idempotency_key=key
    )


def pay_on_the_banks_page(page_url: str, *, account=ACCOUNT, amount, text) -> requests.Response:
    """What the payer does in the (simulated) bank app: a transfer with the QR code's fields."""
    session = requests.Session()
    form = session.get(page_url, timeout=5)
    assert form.status_code == 200 and "Ngân hàng (giả lập)" in form.text
    return session.post(
        page_url,
        data={
            "thao_tac": "chuyen",
            "tai_khoan": account,
            "so_tien": amount,
            "noi_dung": text,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": page_url},
        timeout=15,
    )


def test_a_transfer_on_the_simulated_bank_is_notified_by_the_bank_and_credited(world, bank_url):
    attempt = qr_attempt(world)
    page = pay_on_the_banks_page(
        bank_url, amount=attempt.amount_vnd, text=f"CT DEN {attempt.reference} NGUYEN VAN AN"
    )
    assert page.status_code == 200 and "cổng một cửa trả lời: HTTP 200 00 ok" in page.text
    attempt.refresh_from_db()
    transfer = SimulatedTransfer.objects.get()
    assert attempt.status == A.PAID
    assert attempt.provider_transaction_id == f"bank:{transfer.transaction_id}"
    assert (transfer.state, transfer.sends) == ("delivered", 1)
    assert PaymentRequest.objects.get(pk=attempt.request_id).status == PaymentRequest.Status.PAID


def test_a_slow_bank_that_notifies_twice_credits_once(world, bank_url):
    attempt = qr_attempt(world)
    Behaviour.objects.update_or_create(
        pk=1, defaults={"bank_send_twice": True, "bank_delay_ms": 200}
    )
    pay_on_the_banks_page(bank_url, amount=attempt.amount_vnd, text=attempt.reference)
    transfer = SimulatedTransfer.objects.get()
    assert transfer.sends == 2 and transfer.last_answer == "HTTP 200 00 ok"  # the retry: 00 too
    assert attempt.events.filter(action="pay").count() == 1


def test_held_notifications_sent_newest_first_credit_each_transfer(world, bank_url, live_server):
    first, second = qr_attempt(world, key="a"), qr_attempt(world, key="b")
    Behaviour.objects.update_or_create(pk=1, defaults={"bank_hold": True})
    for attempt in (first, second):
        pay_on_the_banks_page(bank_url, amount=attempt.amount_vnd, text=attempt.reference)
    assert not PaymentAttempt.objects.filter(status=A.PAID).exists()  # nothing sent yet
    url = simulated_bank.notify_url(live_server.url)
    assert simulated_bank.send_pending(url) == 2  # out of order: the second transfer first
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == A.PAID
    assert second.paid_at <= first.paid_at
    assert simulated_bank.send_pending(url) == 0


def test_a_notification_motcua_did_not_answer_stays_pending_and_is_sent_again(
    world, bank_url, live_server
):
    attempt = qr_attempt(world)
    unreachable = "http://127.0.0.1:9/thanh-toan/ngan-hang/thong-bao/"  # the discard port
    transfer = simulated_bank.transfer_made(
        account=ACCOUNT, amount=attempt.amount_vnd, description=attempt.reference, url=unreachable
    )
    assert transfer.state == "pending" and transfer.last_answer.startswith("no answer")
    attempt.refresh_from_db()
    assert attempt.status == A.CREATED  # nothing lost: the bank still holds it
    assert simulated_bank.send_pending(simulated_bank.notify_url(live_server.url)) == 1
    attempt.refresh_from_db()
    assert attempt.status == A.PAID


@pytest.mark.parametrize("how", ["another secret", "an impostor"])
def test_a_bank_signing_with_another_secret_is_refused_and_keeps_trying(
    world, bank_url, settings, how
):
    attempt = qr_attempt(world)
    if how == "another secret":
        settings.MOTCUA_PAYSIM_BANK_SECRET = "khong-phai-bi-mat-da-thoa-thuan"
    else:
        Behaviour.objects.update_or_create(pk=1, defaults={"bank_forge": True})
    pay_on_the_banks_page(bank_url, amount=attempt.amount_vnd, text=attempt.reference)
    transfer = SimulatedTransfer.objects.get()
    assert transfer.state == "pending" and transfer.last_answer.startswith("HTTP 401 97")
    attempt.refresh_from_db()
    assert attempt.status == A.CREATED


def test_a_transfer_to_another_account_is_refused_with_its_code_and_logged(world, bank_url, caplog):
    attempt = qr_attempt(world)
    with caplog.at_level(logging.WARNING, logger="motcua.payments.services"):
        pay_on_the_banks_page(
            bank_url, account="999988887777", amount=attempt.amount_vnd, text=attempt.reference
        )
    transfer = SimulatedTransfer.objects.get()
    # acknowledged (the bank must not retry: a person looks), not credited
    assert transfer.state == "delivered" and transfer.last_answer == "HTTP 200 02 wrong_account"
    attempt.refresh_from_db()
    assert attempt.status == A.CREATED
    assert "payment report refused: wrong_account" in caplog.text
    assert "NGUYEN" not in caplog.text.upper()


def test_a_transfer_for_a_unit_without_a_collection_account_is_refused(world):
    attempt = qr_attempt(world, with_account=False)
    report = services.Report(
        reference=attempt.reference, amount_vnd=attempt.amount_vnd, transaction_id="bank:FT1"
    )
    with pytest.raises(services.PaymentRefused) as refused:
        services.record_bank_transfer(report=report, account=ACCOUNT)
    assert refused.value.code == "wrong_account"
    account_for(attempt.request.unit_id, number="1133-6666-8888")  # as typed, with dashes
    assert services.record_bank_transfer(report=report, account=" 113366668888").status == A.PAID


def test_the_banks_page_refuses_bad_input_in_vietnamese(world, bank_url):
    answer = pay_on_the_banks_page(bank_url, amount="8.000đ", text="MC0000000000")
    assert answer.status_code == 400 and "Số tiền phải là số nguyên (đồng)." in answer.text
    answer = pay_on_the_banks_page(bank_url, account="113 3666", amount=8000, text="x")
    assert answer.status_code == 400 and "Số tài khoản gồm chữ và số" in answer.text
    assert not SimulatedTransfer.objects.exists()


def test_the_vietqr_page_offers_the_simulated_bank_only_when_the_simulator_is_mounted(
    client, world, settings
):
    lan_dossier = receive(world, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))
    request = services.request_fees(world.officer, dossier_id=lan_dossier.pk, at=WHEN)
    account_for(request.unit_id)
    lan = citizen(LAN_ID)
    attempt = services.start_attempt(
        lan, request_id=request.pk, method="vietqr", idempotency_key="k"
    )
    client.force_login(lan)
    page = reverse("payments_public:attempt", args=[attempt.reference])
    assert 'data-testid="simulated-bank"' not in client.get(page).content.decode()
    settings.ROOT_URLCONF = "tests.payments.urls_with_simulator"
    html = client.get(page).content.decode()
    assert 'data-testid="simulated-bank"' in html
    assert f"tk={ACCOUNT}&amp;so_tien={attempt.amount_vnd}&amp;noi_dung={attempt.reference}" in html
