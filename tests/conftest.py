"""Suite-wide test setup.

- Under CI=true a skipped test fails the run: PostgreSQL, Redis and the browser must be there.
- Tests marked `postgres` need PostgreSQL semantics (row locks, triggers); on SQLite they are
  deselected (not skipped), and CI's PostgreSQL run executes them.
- Browser tests drive Debian's /usr/bin/chromium through Playwright, no downloaded browser.
- MOTCUA_TEST_NOW=2026-12-06T22:00:00+07:00 starts the app's clock (django.utils.timezone.now)
  at that moment in every test process, ticking with real time from there; see `_shift_clock`.
"""

import datetime as dt
import itertools
import os
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
IN_CI = os.environ.get("CI", "").lower() == "true"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


TEST_NOW = os.environ.get("MOTCUA_TEST_NOW", "").strip()
_PROCESS_START = time.monotonic()


def _shift_clock() -> None:
    """Start the app's clock at MOTCUA_TEST_NOW: a suite that passes only in office hours (or
    only outside Tết) fails on every machine, not on the one that happens to run late.

    The clock is `django.utils.timezone.now`, which every clock of the app reads at call time
    (`queueing.services.now`, `feedback.services.now`, booking and estimate, `timezone.localtime()`
    and `localdate()`, `auto_now` fields). It returns the given moment plus the real time elapsed
    since this process started, so order and durations still hold. Also replaced: model field
    defaults that captured the function (`User.date_joined`) and any `now` a module imported by
    name (axes); pages in the browser start there too (the `browser` fixture below). Left
    real, on purpose: time.time, time.monotonic, datetime.now (libraries and the database cache
    pair them with each other). Tests that take the `clock` fixture or pass `now=` / `at=` keep
    their frozen moments.
    """
    from django.apps import apps
    from django.utils import timezone

    start = dt.datetime.fromisoformat(TEST_NOW)
    if start.tzinfo is None:
        raise pytest.UsageError(f"MOTCUA_TEST_NOW needs a UTC offset: {TEST_NOW!r}")
    start = start.astimezone(dt.UTC)
    real_now = timezone.now

    def shifted_now() -> dt.datetime:
        return start + dt.timedelta(seconds=time.monotonic() - _PROCESS_START)

    # The database cache stamps expiry with time.time() and compares it with the `now` it
    # imported by name: that pair stays real, or every entry looks expired under a clock
    # shifted forward. Imported first, so it binds the real function and is skipped below.
    from django.core.cache.backends import db as db_cache

    timezone.now = shifted_now
    # Modules that imported `now` by name (axes counts failed sign-ins since now() - cool-off
    # against rows stamped by auto_now_add); modules imported from here on bind shifted_now.
    for module in list(sys.modules.values()):
        if module is db_cache or module is None:
            continue
        for name, value in list(getattr(module, "__dict__", {}).items()):
            if value is real_now:
                setattr(module, name, shifted_now)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "default", None) is real_now:
                field.default = shifted_now
                field.__dict__.pop("_get_default", None)  # a cached_property


def pytest_configure(config):
    if TEST_NOW:
        _shift_clock()


def pytest_report_header(config):
    if TEST_NOW:
        return f"MOTCUA_TEST_NOW={TEST_NOW}: the app's clock starts there and ticks"


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_sessionfinish(session, exitstatus):
    if not IN_CI or hasattr(session.config, "workerinput"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} skipped test(s) count as failures", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_RATE_LIMIT_DAYS = itertools.count()


@pytest.fixture(autouse=True)
def _rate_limit_windows_do_not_roll_over(monkeypatch):
    """Rate limits count in clock-aligned windows, in a cache that outlives a test. Give each
    test a window of its own that does not roll over while it runs: the limiter's clock is
    frozen at the start of a fresh day (every window used divides a day: 60 s ... 1 h), one
    day later than the previous test's. Tests about windows pass `now=` or patch
    `ratelimit.time` themselves."""
    from types import SimpleNamespace

    from motcua.core import ratelimit

    frozen = 1_799_971_200.0 + 86_400 * next(_RATE_LIMIT_DAYS)  # a UTC midnight in 2027
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: frozen))


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test():
    """A request in English (the language switch, a crawl of /en/ pages) leaves English active
    in the worker's thread; the services' messages of the next test would be English."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """A test's calendar rows vanish when its transaction rolls back, without the signal that
    clears the working-day cache: clear it after each test so no test sees another's days off.
    """
    yield
    from motcua.core import calendar

    calendar.clear_cache()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Test databases are emptied with TRUNCATE between transactional tests; the audit log's
    append-only trigger lets that through only for sessions that set this (never in production).
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        db.setdefault("OPTIONS", {})["options"] = "-c motcua.audit_truncate=allow"
        # No pool inside the test processes: race tests start 8-20 threads (a pool of 4 would
        # let only 4 race) and fork processes, whose copy of a pool has no threads and waits
        # for ever. The pool and its bound are tested on a real server in a subprocess
        # (tests/core/test_connection_pool_bound.py, the loadtest smoke test).
        db["OPTIONS"].pop("pool", None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


# Date in the page runs `shift` ms ahead of the machine; timers and `performance` stay real.
_SHIFTED_DATE = """(() => {
  const shift = %d, RealDate = Date;
  function ShiftedDate(...args) {
    if (!new.target) return new RealDate(RealDate.now() + shift).toString();
    return args.length ? new RealDate(...args) : new RealDate(RealDate.now() + shift);
  }
  ShiftedDate.prototype = RealDate.prototype;
  ShiftedDate.now = () => RealDate.now() + shift;
  ShiftedDate.parse = RealDate.parse;
  ShiftedDate.UTC = RealDate.UTC;
  globalThis.Date = ShiftedDate;
})();"""


@pytest.fixture(scope="session")
def browser(browser):
    """Under MOTCUA_TEST_NOW a page's Date follows the app's clock too: pages stamp what they
    send with their own clock (offline outreach records), which runs beside the server's, not
    real time. Only Date is shifted (an init script): Playwright's clock emulation also fakes
    timers and `performance`, which tests read."""
    if not TEST_NOW:
        return browser
    from django.utils import timezone

    new_context = browser.new_context

    def new_context_on_the_app_clock(*args, **kwargs):
        context = new_context(*args, **kwargs)
        shift = timezone.now() - dt.datetime.now(dt.UTC)
        context.add_init_script(_SHIFTED_DATE % round(shift.total_seconds() * 1000))
        return context

    browser.new_context = new_context_on_the_app_clock
    return browser


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
