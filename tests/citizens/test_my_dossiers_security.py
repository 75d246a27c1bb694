"""Nobody but the applicant reaches a dossier through "Hồ sơ của tôi".

Every route under /cong-dan/ho-so/ (the test fails when a route is added without a row in
ROUTES) is tried, by GET and by POST, with Lan's dossier codes (and her dossier's numeric id,
and a code that does not exist), by: an anonymous visitor (-> the identity sign-in), a staff
session, even the counter officer who received the dossier (-> 403: staff and citizen accounts
are separate), and another citizen, Hùng (-> 404, as for a code that does not exist). Download
links: Lan's link opened by Hùng, a link moved onto another dossier's code, tampered and expired
links. No refused answer carries her data, and nothing changes."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern
from django.utils import timezone

from motcua.citizens import links
from motcua.citizens import urls as citizen_urls
from motcua.core.models import AuditEvent
from motcua.dossiers.models import DossierComponent, DossierDocument, DossierEvent, Status
from motcua.feedback.models import Rating
from tests.clock import Clock

from .myspace import BACKEND, HUNG_ID, LAN_ID, citizen, drive, photo

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))
APPLICANT_NAME = "Nguyễn Văn An"  # the factories' applicant name on Lan's dossiers

# route (under /cong-dan/) -> the methods it answers (any other is a 405 before anything)
ROUTES = {
    "giay-to/": {"get"},
    "ho-so/": {"get"},
    "ho-so/<str:code>/": {"get"},
    "ho-so/<str:code>/bo-sung/": {"post"},
    "ho-so/<str:code>/rut/": {"get", "post"},
    "ho-so/<str:code>/danh-gia/": {"post"},
    "ho-so/<str:code>/tep/<str:token>/": {"get"},
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clock(monkeypatch):
    from motcua.dossiers import deadlines

    c = Clock(dt.datetime(2026, 11, 17, 9, 0, tzinfo=VN))
    monkeypatch.setattr(timezone, "now", lambda: c().astimezone(dt.UTC))
    monkeypatch.setattr(deadlines, "current_time", lambda: c().astimezone(dt.UTC))
    return c


@pytest.fixture
def world(db, clock):
    from io import StringIO

    from django.core.management import call_command

    from motcua.core import calendar
    from tests.dossiers.factories import make_world

    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    yield make_world()
    calendar.clear_cache()


@pytest.fixture
def scene(world):
    """Lan's dossiers: one awaiting a supplement, one returned with its signed result, one in
    processing (withdrawable); Hùng's own dossier; the people."""
    lan = citizen(LAN_ID, "Nguyễn Thị Lan")
    hung = citizen(HUNG_ID, "Trần Văn Hùng")
    return {
        "world": world,
        "lan": lan,
        "hung": hung,
        "supplement": drive(world, Status.AWAITING_SUPPLEMENT, LAN_ID),
        "returned": drive(world, Status.RETURNED, LAN_ID),
        "processing": drive(world, Status.PROCESSING, LAN_ID),
        "hungs": drive(world, Status.RETURNED, HUNG_ID),
    }


def lan_link(scene, dossier=None) -> str:
    dossier = dossier or scene["returned"]
    document = dossier.documents.get(kind=DossierDocument.Kind.RESULT)
    return links.url_for(scene["lan"], dossier, document)


def urls_for(scene) -> list[tuple[str, set]]:
    """Every route, filled with Lan's dossiers (each code, her dossier's id, a made-up code),
    with the methods it answers."""
    out = []
    codes = [scene[k].code for k in ("supplement", "returned", "processing")]
    codes += [str(scene["returned"].pk), "000.00.12.H23-261117-9999"]
    token = lan_link(scene).rstrip("/").rsplit("/", 1)[1]
    for route, methods in ROUTES.items():
        if "<" not in route:
            out.append(("/cong-dan/" + route, methods))
            continue
        for code in codes:
            path = route.replace("<str:code>", code).replace("<str:token>", token)
            out.append(("/cong-dan/" + path, methods))
    return out


def test_the_table_covers_every_route_of_my_dossiers():
    mine = {
        str(p.pattern)
        for p in citizen_urls.urlpatterns
        if isinstance(p, URLPattern) and str(p.pattern).startswith(("ho-so/", "giay-to/"))
    }
    assert mine == set(ROUTES)


def state(scene) -> tuple:
    return (
        DossierEvent.objects.count(),
        DossierComponent.objects.count(),
        DossierDocument.objects.count(),
        Rating.objects.count(),
        sorted(
            (d.pk, d.status, d.version)
            for d in [scene[k] for k in ("supplement", "returned", "processing")]
            for d in [type(d).objects.get(pk=d.pk)]
        ),
    )


def hostile_posts(scene) -> dict:
    return {
        "version": "0",
        "ly_do": "Tôi không phải người nộp",
        "xac_nhan": "1",
        "level": "not_satisfied",
        "reason": "other",
        "comment": "x",
        "ghi_chu": "x",
        "giay": SimpleUploadedFile("giay.jpg", photo(size=(40, 40)), "image/jpeg"),
    }


def assert_no_data(response, scene):
    body = response.content.decode(errors="replace") if not response.streaming else ""
    assert APPLICANT_NAME not in body
    assert "GIẤY" not in body
    assert response.get("Content-Type", "").split(";")[0] != "application/pdf"


def test_anonymous_visitors_are_sent_to_the_identity_sign_in(client, scene):
    before = state(scene)
    for url, methods in urls_for(scene):
        for method in ("get", "post"):
            data = hostile_posts(scene) if method == "post" else None
            r = getattr(client, method)(url, data)
            assert_no_data(r, scene)
            if method not in methods:
                assert r.status_code == 405, (method, url, r.status_code)
                continue
            assert r.status_code == 302, (method, url, r.status_code)
            assert r["Location"].startswith("/cong-dan/dang-nhap/?next="), (method, url)
    assert state(scene) == before


def test_a_staff_session_is_refused_even_the_officer_who_received_it(client, scene):
    client.force_login(scene["world"].officer)
    before = state(scene)
    for url, methods in urls_for(scene):
        for method in ("get", "post"):
            data = hostile_posts(scene) if method == "post" else None
            r = getattr(client, method)(url, data)
            expected = 403 if method in methods else 405
            assert r.status_code == expected, (method, url, r.status_code)
            assert_no_data(r, scene)
    assert state(scene) == before


def test_another_citizen_finds_nothing_of_lans_by_any_route(client, scene):
    client.force_login(scene["hung"], backend=BACKEND)
    before = state(scene)
    listing = client.get("/cong-dan/ho-so/").content.decode()
    assert scene["hungs"].code in listing
    for key in ("supplement", "returned", "processing"):
        assert scene[key].code not in listing
    papers = client.get("/cong-dan/giay-to/").content.decode()
    assert scene["hungs"].code in papers
    for key in ("supplement", "returned", "processing"):
        assert scene[key].code not in papers
    for url, methods in urls_for(scene):
        if url in ("/cong-dan/ho-so/", "/cong-dan/giay-to/"):
            continue
        for method in ("get", "post"):
            data = hostile_posts(scene) if method == "post" else None
            r = getattr(client, method)(url, data)
            # her link is refused as "not for you" before any lookup; the rest are not found
            expected = 403 if "/tep/" in url else 404
            if method not in methods:
                expected = 405
            assert r.status_code == expected, (method, url, r.status_code)
            assert_no_data(r, scene)
    assert state(scene) == before


def test_a_link_is_refused_on_another_dossiers_code_or_for_another_citizen(client, scene):
    url = lan_link(scene)
    token = url.rstrip("/").rsplit("/", 1)[1]
    client.force_login(scene["lan"], backend=BACKEND)
    assert client.get(url).status_code == 200
    # her own link, moved onto her other dossier's code, or onto Hùng's code
    for other in (scene["supplement"].code, scene["hungs"].code):
        r = client.get(f"/cong-dan/ho-so/{other}/tep/{token}/")
        assert r.status_code == 404
        assert_no_data(r, scene)
    # Hùng with her link: refused as not his; with his own code: still not his
    client.force_login(scene["hung"], backend=BACKEND)
    assert client.get(url).status_code == 403
    assert client.get(f"/cong-dan/ho-so/{scene['hungs'].code}/tep/{token}/").status_code == 403


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: "." + t[1:] if not t.startswith(".") else t[1:],  # the payload
        lambda t: t.split(":")[0],  # no signature at all
        lambda t: "x" * 40,
        lambda t: t + t,
    ],
)
def test_tampered_links_are_refused(client, scene, mangle):
    url = lan_link(scene)
    token = url.rstrip("/").rsplit("/", 1)[1]
    client.force_login(scene["lan"], backend=BACKEND)
    r = client.get(url.replace(token, mangle(token)))
    assert r.status_code in (403, 404)
    assert_no_data(r, scene)


def test_a_link_signed_with_another_key_or_for_another_document_is_refused(client, scene):
    from django.core import signing

    client.force_login(scene["lan"], backend=BACKEND)
    returned = scene["returned"]
    document = returned.documents.get(kind=DossierDocument.Kind.RESULT)
    payload = {
        "u": scene["lan"].pk,
        "d": returned.pk,
        "i": document.pk,
        "f": document.file.name,
        "e": int(timezone.now().timestamp()) + 300,
    }
    for salt in ("motcua.dossiers.file-link", "other"):
        token = signing.Signer(salt=salt).sign_object(payload, compress=True)
        r = client.get(f"/cong-dan/ho-so/{returned.code}/tep/{token}/")
        assert r.status_code == 403
    # signed rightly, but for Hùng's result
    hungs = scene["hungs"]
    theirs = hungs.documents.get(kind=DossierDocument.Kind.RESULT)
    token = links.make_token(
        scene["lan"], dossier_id=hungs.pk, document_id=theirs.pk, name=theirs.file.name
    )
    assert client.get(f"/cong-dan/ho-so/{hungs.code}/tep/{token}/").status_code == 404
    assert client.get(f"/cong-dan/ho-so/{returned.code}/tep/{token}/").status_code == 404


def test_an_expired_link_is_refused_on_the_frozen_clock(client, scene, clock, settings):
    settings.MOTCUA_CITIZEN_FILE_LINK_SECONDS = 120
    url = lan_link(scene)
    client.force_login(scene["lan"], backend=BACKEND)
    clock.advance(seconds=120)
    assert client.get(url).status_code == 200
    clock.advance(seconds=1)
    r = client.get(url)
    assert r.status_code == 403 and "hết hạn" in r.content.decode()
    assert AuditEvent.objects.filter(action="citizen.download").count() == 1


def test_a_citizen_without_an_identity_row_has_no_dossiers(client, scene):
    from motcua.accounts.models import User

    bare = User.objects.create_user(username="congdan-bare", kind=User.Kind.CITIZEN)
    client.force_login(bare, backend=BACKEND)
    assert "Bạn chưa có hồ sơ nào." in client.get("/cong-dan/ho-so/").content.decode()
    assert client.get(f"/cong-dan/ho-so/{scene['returned'].code}/").status_code == 404


def test_hostile_codes_and_query_strings_never_answer_5xx(client, scene):
    client.force_login(scene["lan"], backend=BACKEND)
    code = scene["returned"].code
    junk_codes = ["0", "9" * 30, "%27%22", "Đ" * 300, "..", "a:b:c"]
    for junk in junk_codes:
        for suffix in ("", "bo-sung/", "rut/", "danh-gia/", "tep/x/"):
            for method in ("get", "post"):
                r = getattr(client, method)(f"/cong-dan/ho-so/{junk}/{suffix}")
                assert r.status_code < 500, (method, junk, suffix)
    for query in ({"trang": "'\x00"}, {"trang": "9" * 30}, {"q": "Đ" * 5000}):
        assert client.get("/cong-dan/ho-so/", query).status_code < 500
        assert client.get(f"/cong-dan/ho-so/{code}/", query).status_code < 500
    r = client.post(f"/cong-dan/ho-so/{code}/bo-sung/", {"version": "abc", "giay": []})
    assert r.status_code == 409
    assert not re.search(r"Traceback", r.content.decode())
