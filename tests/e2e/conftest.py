"""A commune's small real world for the browser: its published procedures and a counter officer.

Procedures come from the demo file `make run` loads and go through the catalog importer (the
path a staff upload takes), so the browser shows real texts with all their diacritics. Each test
builds its own world because live-server tests empty the database after every test.
"""

import copy
import json
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

import motcua.catalog
from motcua.accounts import services as accounts
from motcua.accounts.models import Role, User
from motcua.catalog.importing import RowInput
from motcua.catalog.models import Procedure
from motcua.catalog.services import import_catalog
from motcua.core.models import Unit

DEMO_PROCEDURES = Path(motcua.catalog.__file__).resolve().parent / "data" / "demo_procedures.json"
MARRIAGE = "1.000894"  # Thủ tục đăng ký kết hôn
CERTIFIED_COPY = "2.000815"  # Chứng thực bản sao từ bản chính ... (a fee in đồng per page)
LAND = "1.013978"  # Đăng ký đất đai, tài sản gắn liền với đất ... (ắ, ữ)
DRAFT = "2.000528"  # Đăng ký khai sinh có yếu tố nước ngoài: unpublished in the demo file
CODES = (
    MARRIAGE,
    "1.000593",  # Thủ tục đăng ký kết hôn lưu động
    "2.000806",  # Thủ tục đăng ký kết hôn có yếu tố nước ngoài
    "1.001193",  # Thủ tục đăng ký khai sinh
    "1.004837",  # Thủ tục đăng ký giám hộ (ộ)
    CERTIFIED_COPY,
    "2.000884",  # Thủ tục chứng thực chữ ký ... (ữ)
    LAND,
)
OFFICER = {
    "username": "nhung.vb",
    "full_name": "Nguyễn Thị Hồng Nhung",
    "password": "Vinh-Bao-mot-cua-2026",
}
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """MD5 hashing: PBKDF2's deliberate slowness would cost seconds per sign-in here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@cache
def _demo_records() -> dict[str, dict]:
    return {r["code"]: r for r in json.loads(DEMO_PROCEDURES.read_text(encoding="utf-8"))}


def demo_record(code: str) -> dict:
    """A fresh copy of one demo record, so a test may change it without touching the others."""
    return copy.deepcopy(_demo_records()[code])


@pytest.fixture
def commune(transactional_db) -> Unit:
    return Unit.objects.create(
        code="11824",
        name="Xã Vĩnh Bảo",
        kind=Unit.Kind.COMMUNE,
        address="Trụ sở UBND xã Vĩnh Bảo, thành phố Hải Phòng",
        phone="0225 3884 123",
    )


@pytest.fixture
def catalog(commune) -> dict[str, Procedure]:
    """The commune's published procedures (plus one draft), keyed by national code."""
    records = []
    for code in (*CODES, DRAFT):
        rec = demo_record(code)
        rec["is_published"] = code != DRAFT
        records.append(rec)
    rows = [RowInput(row=i, record=rec) for i, rec in enumerate(records, start=1)]
    report = import_catalog(unit=commune, records=rows, actor=None, source_name="e2e")
    assert report.created == len(records), report.errors
    return {p.code: p for p in Procedure.objects.filter(unit=commune)}


@pytest.fixture
def officer(commune) -> User:
    """A counter officer (cán bộ một cửa) of the commune who signs in with a password."""
    return accounts.create_staff(
        actor=None,
        username=OFFICER["username"],
        full_name=OFFICER["full_name"],
        unit=commune,
        role=Role.COUNTER_OFFICER,
        password=OFFICER["password"],
    )


def _note_console_error(msg, errors: list[str]) -> None:
    if msg.type == "error":
        errors.append(f"console {msg.type}: {msg.text} at {msg.location.get('url')}")


def _page(browser: Browser, **context_args):
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: _note_console_error(msg, errors))
    page.on(
        "response",
        lambda r: (
            errors.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    page.js_errors = errors  # read by assert_clean_console
    return context, page


@pytest.fixture
def phone(browser: Browser):
    """A cheap Android phone: 360 px wide, touch screen, mobile Chrome user agent."""
    context, page = _page(
        browser,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=ANDROID_CHROME,
    )
    yield page
    context.close()


@pytest.fixture
def desktop(browser: Browser):
    """An office PC at the one-stop counter: a 1280 px wide window."""
    context, page = _page(browser, viewport={"width": 1280, "height": 800})
    yield page
    context.close()


@pytest.fixture
def shoot(artifacts_dir):
    """Full-page screenshot named e2e-<what>-<viewport width>.png in test-artifacts/."""

    def take(page: Page, what: str) -> Path:
        path = artifacts_dir / f"e2e-{what}-{page.viewport_size['width']}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def assert_fits_the_screen(page: Page) -> None:
    """Nothing sticks out sideways: the villager never has to scroll left and right."""
    widths = page.evaluate(
        "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], widths


def assert_clean_console(page: Page) -> None:
    """No script errors and no resource blocked (e.g. by the Content-Security-Policy)."""
    assert page.js_errors == []
