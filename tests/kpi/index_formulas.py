"""The shipped formula set as the data migration loads it, for tests that run after a
transactional test flushed the tables (live-server tests empty the database, migration rows
included)."""

import importlib

from django.apps import apps

_migration = importlib.import_module("motcua.kpi.migrations.0002_dashboard_2025_formula_set")


def ensure_shipped_formula_set() -> None:
    _migration.load(apps, None)
