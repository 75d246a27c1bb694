"""One public base URL makes every link citizens read; with DEBUG off a missing or loopback one
stops the server at its system checks, before a QR code that opens nowhere is printed or signed.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory
from django.urls import reverse

from motcua.core import links

BASE = "https://motcua.vinhbao.haiphong.gov.vn"


def run_check():
    """What `manage.py check` (and migrate, run_huey, load_demo) does before anything else."""
    call_command("check", "--fail-level", "ERROR", verbosity=0)


# --- public_url -----------------------------------------------------------------------------


def test_public_url_puts_the_path_on_the_configured_base(settings):
    settings.MOTCUA_PUBLIC_BASE_URL = BASE + "/"
    request = RequestFactory().get("/", HTTP_HOST="10.0.0.7:8000")  # an officer's LAN address

    assert links.public_url("/tra-cuu/?ma=A-1", request) == BASE + "/tra-cuu/?ma=A-1"
    assert links.public_url("/xac-thuc/ABC/") == BASE + "/xac-thuc/ABC/"


def test_without_a_base_url_the_request_host_is_the_development_guess(settings):
    settings.MOTCUA_PUBLIC_BASE_URL = ""
    request = RequestFactory().get("/", HTTP_HOST="testserver")

    assert links.public_url("/thu-tuc/1/", request) == "http://testserver/thu-tuc/1/"
    assert links.public_url("/thu-tuc/1/") == "http://127.0.0.1:8000/thu-tuc/1/"


def test_public_url_refuses_a_relative_path(settings):
    settings.MOTCUA_PUBLIC_BASE_URL = BASE
    with pytest.raises(ValueError):
        links.public_url("tra-cuu/")


def test_absolute_keeps_absolute_addresses_and_empty_values(settings):
    settings.MOTCUA_PUBLIC_BASE_URL = BASE
    assert links.absolute("/hang-doi/ve/abc/") == BASE + "/hang-doi/ve/abc/"
    assert links.absolute("https://example.vn/x") == "https://example.vn/x"
    assert links.absolute("") == ""
    assert links.absolute(None) == ""


@pytest.mark.django_db
def test_every_printed_and_sent_link_is_built_on_the_one_setting(settings):
    """Receipt QR, notification link, signed result QR, procedure QR, ticket slip QR, outbox."""
    from motcua.catalog.views import public_url as procedure_url
    from motcua.documents.services import verification_url
    from motcua.dossiers import notifications
    from motcua.dossiers.counter_views import lookup_url
    from motcua.integrations.services import notify
    from motcua.queueing.citizen_views import public_ticket_url
    from motcua.queueing.models import Ticket

    settings.MOTCUA_PUBLIC_BASE_URL = BASE
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")  # served on the laptop
    ticket = Ticket(access_token="tok3n")

    made = [
        lookup_url("H23-261123-0001"),
        notifications.lookup_url("H23-261123-0001"),
        verification_url("ABCD2345EFGH"),
        procedure_url(request, 7),
        public_ticket_url(request, ticket),
        notify(
            channel="sms",
            recipient="0912345678",
            purpose="turn_near",
            subject="Sắp đến lượt",
            body="Sắp đến lượt bạn.",
            url="/hang-doi/ve/tok3n/",
        ).url,
    ]

    assert all(url.startswith(BASE + "/") for url in made), made
    assert made[0] == f"{BASE}{reverse('dossiers:tracking_lookup')}?ma=H23-261123-0001"
    assert made[2] == f"{BASE}/xac-thuc/ABCD2345EFGH/"


# --- the system check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["https://motcua.vinhbao.haiphong.gov.vn", "http://192.168.1.20:8000/", "http://[fd00::5]:80"],
)
def test_a_reachable_base_url_passes_the_check(settings, value):
    settings.DEBUG = False
    settings.MOTCUA_PUBLIC_BASE_URL = value
    run_check()


@pytest.mark.parametrize("value", ["", "   "])
def test_a_missing_base_url_fails_the_check_with_debug_off(settings, value):
    settings.DEBUG = False
    settings.MOTCUA_PUBLIC_BASE_URL = value
    with pytest.raises(SystemCheckError, match=r"motcua\.E001.*chưa được đặt"):
        run_check()


@pytest.mark.parametrize(
    "value",
    [
        "http://127.0.0.1:8000",
        "http://127.0.1.1",
        "http://localhost:8000/",
        "http://motcua.localhost",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
        "https://LOCALHOST",
    ],
)
def test_a_base_url_only_this_machine_opens_fails_the_check_with_debug_off(settings, value):
    settings.DEBUG = False
    settings.MOTCUA_PUBLIC_BASE_URL = value
    with pytest.raises(SystemCheckError, match=r"motcua\.E002.*trỏ về chính máy chủ"):
        run_check()


@pytest.mark.parametrize(
    "value",
    [
        "motcua.vinhbao.gov.vn",  # no scheme: would be read as a path
        "ftp://motcua.vinhbao.gov.vn",
        "https://motcua.vinhbao.gov.vn/motcua",  # links would lose the sub-path
        "https://motcua.vinhbao.gov.vn/?a=1",
        "https://admin@motcua.vinhbao.gov.vn",
        "http://motcua.vinhbao.gov.vn:port",
    ],
)
def test_a_malformed_base_url_fails_the_check(settings, value):
    settings.DEBUG = False
    settings.MOTCUA_PUBLIC_BASE_URL = value
    with pytest.raises(SystemCheckError, match=r"motcua\.E001"):
        run_check()


def test_development_with_debug_on_is_not_stopped(settings):
    settings.DEBUG = True
    settings.MOTCUA_PUBLIC_BASE_URL = ""
    run_check()


def test_make_run_on_loopback_acknowledges_the_loopback_check_only(settings):
    """scripts/public-url.sh silences motcua.E002 when the server listens on 127.0.0.1: nobody
    off the machine can reach it, so a loopback address is the truth. A missing one still fails."""
    settings.DEBUG = False
    settings.SILENCED_SYSTEM_CHECKS = ["motcua.E002"]
    settings.MOTCUA_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    run_check()

    settings.MOTCUA_PUBLIC_BASE_URL = ""
    with pytest.raises(SystemCheckError, match=r"motcua\.E001"):
        run_check()
