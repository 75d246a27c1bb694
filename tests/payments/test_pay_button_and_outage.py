"""At the HTTP level: a double-clicked pay button (two POSTs of one rendered form) makes one
attempt, by VietQR and by the platform (one INIT); a platform that is down when the citizen
pays or when she comes back is told in Vietnamese, loses nothing, and the periodic job credits
the payment once the platform answers again. The platform is the simulator served over real
HTTP (pytest-django's live server)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from motcua.core.statemachine import IllegalTransition
from motcua.payments import services, tasks
from motcua.payments.models import CollectionAccount, PaymentAttempt, PaymentRequest
from motcua.paysim.models import Behaviour, SimulatedTransaction
from tests.citizens.myspace import LAN_ID, citizen
from tests.dossiers.factories import applicant, receive

from .test_national_platform import pay_on_the_platforms_page

pytestmark = pytest.mark.django_db(transaction=True)
A = PaymentAttempt.Status
SECRET = "bi-mat-dung-chung-cho-kiem-thu"


@pytest.fixture
def paygov(settings, live_server):
    settings.ROOT_URLCONF = "tests.payments.urls_with_simulator"
    settings.MOTCUA_PAYGOV_URL = f"{live_server.url}/gia-lap/thanh-toan/api"
    settings.MOTCUA_PAYGOV_SECRET = settings.MOTCUA_PAYSIM_SECRET = SECRET
    settings.MOTCUA_PAYGOV_PARTNER = settings.MOTCUA_PAYSIM_PARTNER = "MOTCUA"
    settings.MOTCUA_PAYGOV_TIMEOUT = 3
    return live_server


@pytest.fixture
def lan(client, world):
    CollectionAccount.objects.create(
        unit=world.commune,
        bank_bin="970415",
        bank_code="icb",
        bank_name="VietinBank",
        account_number="113366668888",
        account_name="UBND XA AN HUNG",
    )
    dossier = receive(world, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))
    client.force_login(citizen(LAN_ID))
    return dossier


def form_key(html: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)


def test_a_double_clicked_vietqr_button_makes_one_attempt(client, lan):
    url = reverse("payments_public:pay", args=[lan.code])
    key = form_key(client.get(url).content.decode())
    first = client.post(url, {"method": "vietqr", "key": key})
    second = client.post(url, {"method": "vietqr", "key": key})
    attempt = PaymentAttempt.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/thanh-toan/giao-dich/{attempt.reference}/"


def test_a_double_clicked_platform_button_makes_one_attempt_and_one_init(client, lan, paygov):
    url = reverse("payments_public:pay", args=[lan.code])
    key = form_key(client.get(url).content.decode())
    first = client.post(url, {"method": "platform", "key": key})
    second = client.post(url, {"method": "platform", "key": key})
    attempt = PaymentAttempt.objects.get()
    assert first["Location"] == second["Location"] == attempt.redirect_url
    assert SimulatedTransaction.objects.count() == 1


def test_a_platform_down_when_she_pays_keeps_her_attempt_and_the_same_button_retries_it(
    client, lan, paygov
):
    url = reverse("payments_public:pay", args=[lan.code])
    key = form_key(client.get(url).content.decode())
    Behaviour.objects.update_or_create(pk=1, defaults={"down": True})
    down = client.post(url, {"method": "platform", "key": key})
    assert down.status_code == 503
    html = down.content.decode()
    assert "Nền tảng thanh toán đang không trả lời" in html and "vẫn được giữ" in html
    assert form_key(html) == key  # the form she sees again retries the same attempt
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == A.CREATED and attempt.redirect_url == ""
    assert PaymentRequest.objects.get().status == PaymentRequest.Status.OPEN

    Behaviour.objects.filter(pk=1).update(down=False)
    again = client.post(url, {"method": "platform", "key": form_key(html)})
    attempt.refresh_from_db()
    assert again.status_code == 302 and again["Location"] == attempt.redirect_url
    assert PaymentAttempt.objects.count() == 1


def test_a_platform_down_when_she_comes_back_is_caught_up_by_the_job(client, lan, paygov):
    url = reverse("payments_public:pay", args=[lan.code])
    key = form_key(client.get(url).content.decode())
    client.post(url, {"method": "platform", "key": key})
    attempt = PaymentAttempt.objects.get()
    back = pay_on_the_platforms_page(attempt)  # she paid on the platform's page
    Behaviour.objects.update_or_create(pk=1, defaults={"down": True})
    returned = client.get(back.replace("http://testserver", ""), follow=True)
    page = returned.content.decode()
    assert "Chưa hỏi được nền tảng thanh toán về giao dịch này" in page
    attempt.refresh_from_db()
    assert attempt.status == A.CREATED  # nothing believed, nothing lost

    tasks.check_platform_task.call_local()  # the job while the platform is still down: no harm
    attempt.refresh_from_db()
    assert attempt.status == A.CREATED
    Behaviour.objects.filter(pk=1).update(down=False)
    tasks.check_platform_task.call_local()  # the platform is back: the job catches up
    attempt.refresh_from_db()
    assert attempt.status == A.PAID and attempt.receipt_url
    assert 'data-testid="fee-paid"' in client.get(url).content.decode()
    assert services.check_waiting_platform_attempts() == 0  # nothing left to ask


def test_while_her_platform_attempt_waits_the_page_offers_to_continue_it_not_a_second_one(
    client, lan, paygov
):
    url = reverse("payments_public:pay", args=[lan.code])
    client.post(url, {"method": "platform", "key": form_key(client.get(url).content.decode())})
    attempt = PaymentAttempt.objects.get()
    assert attempt.redirect_url  # she went to the platform's page, then came back here

    page = client.get(url).content.decode()
    assert 'data-testid="pay-form"' not in page and 'data-testid="pay-vietqr"' not in page
    assert 'data-testid="waiting-attempt"' in page and attempt.reference in page
    assert 'data-testid="check-attempt"' in page
    continued = client.post(url, {"method": "platform", "key": form_key(page)})  # "continue"
    assert continued.status_code == 302 and continued["Location"] == attempt.redirect_url

    forced = client.post(url, {"method": "vietqr", "key": "mot-khoa-moi"})  # not offered
    assert forced.status_code == 409
    assert "đang chờ thanh toán" in forced.content.decode()
    assert PaymentAttempt.objects.count() == 1 and SimulatedTransaction.objects.count() == 1

    checked = client.get(
        reverse("payments_public:platform_return") + f"?MaThamChieu={attempt.reference}",
        follow=True,
    )
    assert "Giao dịch đang chờ xác nhận" in checked.content.decode()


def test_a_second_online_attempt_is_refused_until_the_waiting_one_expires(lan, paygov):
    fee_request = services.request_fees(citizen(LAN_ID), dossier_id=lan.pk)
    waiting = services.pay_through_platform(
        citizen(LAN_ID), request_id=fee_request.pk, idempotency_key="k1", return_url="/"
    )
    at = waiting.created_at + dt.timedelta(minutes=1)
    with pytest.raises(IllegalTransition, match=waiting.reference):
        services.start_attempt(
            citizen(LAN_ID), request_id=fee_request.pk, method="vietqr", idempotency_key="k2", at=at
        )
    same = services.start_attempt(
        citizen(LAN_ID), request_id=fee_request.pk, method="platform", idempotency_key="k1", at=at
    )
    assert same.pk == waiting.pk  # the same button again is the same attempt, not a refusal

    later = waiting.expires_at + dt.timedelta(seconds=1)
    fresh = services.start_attempt(
        citizen(LAN_ID), request_id=fee_request.pk, method="vietqr", idempotency_key="k2", at=later
    )
    assert fresh.pk != waiting.pk and PaymentAttempt.objects.count() == 2
