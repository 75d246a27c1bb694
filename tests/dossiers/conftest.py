"""Dossier tests: files go to a temporary media folder; the shipped calendar is loaded."""

from io import StringIO

import pytest
from django.core.management import call_command

from motcua.core import calendar


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
