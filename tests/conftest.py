"""Suite-wide test setup.

- Under CI=true a skipped test fails the run: PostgreSQL, Redis and the browser must be there.
- Tests marked `postgres` need PostgreSQL semantics (row locks, triggers); on SQLite they are
  deselected (not skipped), and CI's PostgreSQL run executes them.
- Browser tests drive Debian's /usr/bin/chromium through Playwright, no downloaded browser.
"""

import itertools
import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
IN_CI = os.environ.get("CI", "").lower() == "true"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


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


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
