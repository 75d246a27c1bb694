"""The one rate limiter: it counts per window, forgets when the window ends, counts the citizen
behind our reverse proxy (not the proxy, not a forged header), keeps phone numbers out of the
cache and answers in Vietnamese with Retry-After."""

import json
import time

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from motcua.core import ratelimit

START = 1_800_000_000.0  # a minute, ten minutes and a quarter hour all start here
PHONE = "0912345678"
PROXY = "10.0.0.5"
CODE_URL = "/xac-thuc/AAAAAAAAAAAAAAAA/"  # an unknown verification code: 404 until limited


@pytest.fixture
def locmem(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}
    }
    cache.clear()
    yield cache
    cache.clear()


def request(remote="203.0.113.7", forwarded=None, **headers):
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


# --- counting ------------------------------------------------------------------------------------


def test_requests_are_counted_within_the_window(locmem):
    counts = [ratelimit.hit("verify", "203.0.113.7", window=60, now=START + i) for i in range(4)]
    assert counts == [1, 2, 3, 4]
    # the last second still belongs to the same minute
    assert ratelimit.hit("verify", "203.0.113.7", window=60, now=START + 59.9) == 5


def test_another_address_or_another_form_has_its_own_budget(locmem):
    for _ in range(3):
        ratelimit.hit("verify", "203.0.113.7", window=60, now=START)
    assert ratelimit.hit("verify", "203.0.113.8", window=60, now=START) == 1
    assert ratelimit.hit("booking", "203.0.113.7", window=60, now=START) == 1


def test_a_new_window_starts_from_one(locmem):
    for _ in range(5):
        ratelimit.hit("track-ip", "203.0.113.7", window=600, now=START + 10)
    assert ratelimit.hit("track-ip", "203.0.113.7", window=600, now=START + 600) == 1


def test_looking_does_not_count(locmem):
    assert ratelimit.seen("login", "203.0.113.7", window=900, now=START) == 0
    ratelimit.hit("login", "203.0.113.7", window=900, now=START)
    for _ in range(3):
        assert ratelimit.seen("login", "203.0.113.7", window=900, now=START + 5) == 1
    assert ratelimit.seen("login", "203.0.113.7", window=900, now=START + 900) == 0


def test_the_database_cache_keeps_counting_past_its_default_timeout(db, settings):
    """A one-commune install has the database cache, whose entries expire after its default
    timeout (5 minutes): counted there, a 15-minute login ceiling would quietly restart. The
    counts live in their own table, kept for their window (decisions/0019)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "motcua_cache",
            "TIMEOUT": 1,  # the default timeout, shrunk so the test need not wait 5 minutes
        }
    }
    assert [ratelimit.hit("login", "203.0.113.7", window=900, now=START) for _ in range(2)] == [
        1,
        2,
    ]
    time.sleep(1.1)
    assert ratelimit.hit("login", "203.0.113.7", window=900, now=START) == 3


def test_no_phone_number_or_address_is_kept_in_clear(locmem):
    ratelimit.hit("booking-phone", PHONE, window=600)
    ratelimit.hit("verify", "203.0.113.7", window=60)
    keys = " ".join(locmem._cache.keys())  # LocMemCache's own store: what Redis would hold
    assert keys.count(":rl:") == 2
    assert PHONE not in keys and PHONE[-9:] not in keys and "203.0.113.7" not in keys


# --- the client's address ------------------------------------------------------------------------


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.MOTCUA_TRUSTED_PROXIES = []
    assert ratelimit.client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(settings):
    settings.MOTCUA_TRUSTED_PROXIES = [PROXY]
    assert ratelimit.client_ip(request(PROXY, "198.51.100.1")) == "198.51.100.1"


def test_a_forged_header_from_an_ordinary_visitor_is_ignored(settings):
    settings.MOTCUA_TRUSTED_PROXIES = [PROXY]
    assert ratelimit.client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_addresses_the_client_wrote_before_our_proxy_are_ignored(settings):
    """nginx appends the real peer: "what the client sent, real peer"."""
    settings.MOTCUA_TRUSTED_PROXIES = [PROXY]
    spoofed = request(PROXY, "1.1.1.1, 8.8.8.8, 198.51.100.1")
    assert ratelimit.client_ip(spoofed) == "198.51.100.1"


def test_a_chain_of_our_proxies_is_walked_to_the_first_outsider(settings):
    settings.MOTCUA_TRUSTED_PROXIES = "10.0.0.0/24, 172.16.0.0/12"  # as the environment gives it
    chain = request("10.0.0.9", "8.8.8.8, 198.51.100.1, 172.16.4.4, 10.0.0.7")
    assert ratelimit.client_ip(chain) == "198.51.100.1"


def test_ipv6_and_ipv4_mapped_addresses_are_understood(settings):
    settings.MOTCUA_TRUSTED_PROXIES = ["fd00::/8", PROXY]
    assert ratelimit.client_ip(request("fd00::1", "2001:db8::42")) == "2001:db8::42"
    assert ratelimit.client_ip(request(f"::ffff:{PROXY}", "198.51.100.1")) == "198.51.100.1"


def test_garbage_in_the_header_falls_back_to_the_last_good_hop(settings):
    settings.MOTCUA_TRUSTED_PROXIES = [PROXY]
    assert ratelimit.client_ip(request(PROXY, "")) == PROXY
    assert ratelimit.client_ip(request(PROXY, "<script>")) == PROXY
    assert ratelimit.client_ip(request(PROXY)) == PROXY


def test_a_mistyped_proxy_setting_is_reported_not_ignored(settings):
    settings.MOTCUA_TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_TRUSTED_PROXIES"):
        ratelimit.client_ip(request(PROXY, "198.51.100.1"))


def test_two_citizens_behind_the_provinces_proxy_have_their_own_budget(client, db, settings):
    settings.MOTCUA_TRUSTED_PROXIES = [PROXY]
    settings.MOTCUA_VERIFY_RATE_PER_MINUTE = 2

    def check(citizen, **extra):
        return client.get(CODE_URL, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=citizen, **extra)

    assert [check("198.51.100.1").status_code for _ in range(3)][-1] == 429
    assert check("198.51.100.2").status_code == 404
    # the blocked citizen cannot get a fresh budget by inventing an address in front
    assert check("9.9.9.9, 198.51.100.1").status_code == 429


# --- the answer -------------------------------------------------------------------------------


MESSAGE = "Bạn đã gửi quá nhiều yêu cầu. Vui lòng đợi một phút rồi thử lại."
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_vietnamese_page_with_retry_after(db):
    req = request(HTTP_ACCEPT=BROWSER_ACCEPT)
    response = ratelimit.too_many(req, MESSAGE, retry_after=60, back_url="/tra-cuu/")
    page = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Quá nhiều yêu cầu" in page and MESSAGE in page
    assert 'href="/tra-cuu/"' in page and "Quay lại" in page


def test_without_a_way_back_the_page_offers_the_home_page(db):
    page = ratelimit.too_many(request(), MESSAGE, retry_after=600).content.decode()
    assert "Về trang chủ" in page


def test_a_json_caller_gets_the_message_as_json(db):
    req = request(HTTP_ACCEPT="application/json")
    response = ratelimit.too_many(req, MESSAGE, retry_after=600)
    assert response.status_code == 429 and response["Retry-After"] == "600"
    assert json.loads(response.content) == {"error": MESSAGE}


def test_an_endpoint_can_insist_on_json(db):
    response = ratelimit.too_many(
        request(HTTP_ACCEPT=BROWSER_ACCEPT), MESSAGE, retry_after=0, as_json=True
    )
    assert json.loads(response.content) == {"error": MESSAGE}
    assert response["Retry-After"] == "1"  # never "0": that would invite an instant retry


# --- in the browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_on_a_phone_reads_why_and_how_long_to_wait(
    live_server, browser, settings, artifacts_dir
):
    settings.MOTCUA_VERIFY_RATE_PER_MINUTE = 1
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        page.goto(live_server.url + CODE_URL)
        page.goto(live_server.url + CODE_URL)
        too_many = page.get_by_test_id("too-many")
        assert "Quá nhiều yêu cầu" in too_many.inner_text()
        assert "Vui lòng đợi một phút rồi thử lại" in too_many.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(artifacts_dir / "429-360.png"), full_page=True)
        page.get_by_role("link", name="Quay lại").click()
        assert page.url.endswith("/xac-thuc/")
    finally:
        context.close()
