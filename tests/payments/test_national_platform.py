"""The national payment platform adapter (`payments.platform`) against the local simulator served
by a real HTTP server: INIT with its authentication code, the citizen's page, CHECK from the
return page and from the job, the e-receipt link; a platform that is down, refuses, is slow to
confirm, or answers with a forged code."""

import pytest
import requests
from django.core.exceptions import PermissionDenied

from motcua.payments import platform, services
from motcua.payments.models import PaymentAttempt, PaymentRequest
from motcua.paysim.models import Behaviour, SimulatedTransaction
from tests.dossiers.factories import make_staff, receive

pytestmark = pytest.mark.django_db(transaction=True)
A = PaymentAttempt.Status
SECRET = "bi-mat-dung-chung-cho-kiem-thu"


@pytest.fixture
def paygov(settings, live_server):
    """The simulator mounted and served by a real HTTP server (pytest-django's live server)."""
    settings.ROOT_URLCONF = "tests.payments.urls_with_simulator"
    settings.MOTCUA_PAYGOV_URL = f"{live_server.url}/gia-lap/thanh-toan/api"
    settings.MOTCUA_PAYGOV_SECRET = settings.MOTCUA_PAYSIM_SECRET = SECRET
    settings.MOTCUA_PAYGOV_PARTNER = settings.MOTCUA_PAYSIM_PARTNER = "MOTCUA"
    settings.MOTCUA_PAYGOV_TIMEOUT = 3
    return live_server


def request_of(world) -> PaymentRequest:
    dossier = receive(world)
    return services.request_fees(world.officer, dossier_id=dossier.pk)


def start(world, request, key="k1") -> PaymentAttempt:
    return services.pay_through_platform(
        world.officer,
        request_id=request.pk,
        idempotency_key=key,
        return_url="https://motcua.example.vn/thanh-toan/ve/",
    )


def pay_on_the_platforms_page(attempt: PaymentAttempt, outcome: str = "thanh-cong") -> str:
    """What the citizen does on the platform's page: returns where the platform sends them."""
    session = requests.Session()
    page = session.get(attempt.redirect_url, timeout=5)
    assert page.status_code == 200 and "8000" in page.text
    token = session.cookies.get("csrftoken")
    back = session.post(
        attempt.redirect_url,
        data={"ket_qua": outcome, "csrfmiddlewaretoken": token},
        headers={"Referer": attempt.redirect_url},
        allow_redirects=False,
        timeout=5,
    )
    assert back.status_code == 302
    return back.headers["Location"]


def test_a_platform_payment_is_credited_only_after_the_platform_confirms_it(world, paygov):
    request = request_of(world)
    attempt = start(world, request)
    assert attempt.redirect_url.startswith(paygov.url) and attempt.status == A.CREATED
    txn = SimulatedTransaction.objects.get(reference=attempt.reference)
    assert (txn.amount, txn.dossier_code) == (8000, request.dossier.code)
    again = start(world, request)  # a second click: the same attempt and page, no second INIT
    assert again.pk == attempt.pk and SimulatedTransaction.objects.count() == 1

    back = pay_on_the_platforms_page(attempt)
    assert back.startswith("https://motcua.example.vn/thanh-toan/ve/?MaThamChieu=")
    attempt = services.check_platform(attempt.reference)
    assert attempt.status == A.PAID and attempt.provider_transaction_id == txn.transaction_id
    assert attempt.receipt_url.startswith(paygov.url)
    assert requests.get(attempt.receipt_url, timeout=5).status_code == 200
    request.refresh_from_db()
    assert request.status == PaymentRequest.Status.PAID


def test_a_cancelled_payment_fails_and_a_new_attempt_can_follow(world, paygov):
    request = request_of(world)
    attempt = start(world, request)
    pay_on_the_platforms_page(attempt, outcome="that-bai")
    assert services.check_platform(attempt.reference).status == A.FAILED
    second = start(world, request, key="k2")
    assert second.pk != attempt.pk and second.redirect_url


def test_the_job_credits_a_citizen_who_never_came_back(world, paygov):
    attempt = start(world, request_of(world))
    Behaviour.objects.update_or_create(pk=1, defaults={"pending_checks": 1})  # bank still busy
    pay_on_the_platforms_page(attempt)
    assert services.check_waiting_platform_attempts() == 1
    attempt.refresh_from_db()
    assert attempt.status == A.CREATED  # the platform said "khoi-tao" once
    services.check_waiting_platform_attempts()
    attempt.refresh_from_db()
    assert attempt.status == A.PAID and attempt.receipt_url


def test_a_platform_that_is_down_loses_nothing_and_is_asked_again(world, paygov):
    request = request_of(world)
    Behaviour.objects.update_or_create(pk=1, defaults={"down": True})
    with pytest.raises(services.PaymentUnavailable, match="không trả lời"):
        start(world, request)
    attempt = PaymentAttempt.objects.get(request=request)
    assert attempt.status == A.CREATED and attempt.redirect_url == ""
    Behaviour.objects.filter(pk=1).update(down=False)
    retried = start(world, request)  # the citizen tries again with the same button
    assert retried.pk == attempt.pk and retried.redirect_url


def test_a_refused_init_fails_the_attempt_with_the_platforms_code(world, paygov):
    Behaviour.objects.update_or_create(pk=1, defaults={"fail_init": "05"})
    request = request_of(world)
    with pytest.raises(services.PaymentUnavailable, match="05"):
        start(world, request)
    assert PaymentAttempt.objects.get(request=request).status == A.FAILED


def test_an_answer_with_a_forged_code_is_not_believed(world, paygov):
    attempt = start(world, request_of(world))
    pay_on_the_platforms_page(attempt)
    Behaviour.objects.update_or_create(pk=1, defaults={"forge_answers": True})
    with pytest.raises(platform.PlatformUnavailable):
        services.check_platform(attempt.reference)
    attempt.refresh_from_db()
    assert attempt.status == A.CREATED


def test_a_question_with_a_wrong_secret_is_refused_by_the_platform(world, paygov, settings):
    attempt = start(world, request_of(world))
    settings.MOTCUA_PAYGOV_SECRET = "not-the-platforms-secret"
    with pytest.raises(platform.PlatformRefused) as refused:
        services.check_platform(attempt.reference)
    assert refused.value.code == "01"


def test_a_slow_platform_times_out_cleanly(world, paygov, settings):
    settings.MOTCUA_PAYGOV_TIMEOUT = 1
    Behaviour.objects.update_or_create(pk=1, defaults={"delay_ms": 1500})
    with pytest.raises(services.PaymentUnavailable):
        start(world, request_of(world))


def test_only_the_applicant_or_the_one_stop_start_an_online_payment(world, paygov):
    request = request_of(world)
    for refused in (world.specialist, make_staff()):
        with pytest.raises(PermissionDenied):
            services.pay_through_platform(
                refused, request_id=request.pk, idempotency_key="x", return_url="https://x.vn/"
            )


def test_the_authentication_code_is_sha256_of_the_fields_and_the_secret(settings):
    settings.MOTCUA_PAYGOV_SECRET = "s"
    import hashlib

    assert platform.authentication_code(["CHECK", "1.0.6", "P", "MC1", "20261102090000"]) == (
        hashlib.sha256(b"CHECK|1.0.6|P|MC1|20261102090000|s").hexdigest()
    )
