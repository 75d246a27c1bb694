"""Dossier tests: files go to a temporary media folder; the shipped calendar is loaded."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from motcua.core import calendar
from motcua.dossiers import deadlines
from tests.clock import Clock


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shipped_calendar(db):
    """The official swaps and extra days off (Tết 2026 bridges, 2025 30/4 swap)."""
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    yield
    calendar.clear_cache()


@pytest.fixture
def world(db, shipped_calendar):
    from .factories import make_world

    return make_world()


@pytest.fixture
def clock(monkeypatch):
    """Tuesday 17/11/2026 09:00 in the commune, unless the test sets another moment."""
    c = Clock(dt.datetime(2026, 11, 17, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    monkeypatch.setattr(deadlines, "current_time", c)
    return c


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what happens inside and then its after-commit hooks (delivery), as production."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


NOTIFY_BASE = "https://motcua.anhung.example.vn"


@pytest.fixture
def notify_outbox(settings, tmp_path):
    """Messages to applicants delivered inline after the commit, e-mail into Django's outbox,
    SMS into the outbox file in VAR_DIR, links on the public base URL `NOTIFY_BASE`."""
    from huey.contrib.djhuey import HUEY

    settings.MOTCUA_PUBLIC_BASE_URL = NOTIFY_BASE
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_MODE = "dev"
    was, HUEY.immediate = HUEY.immediate, True
    yield
    HUEY.immediate = was
