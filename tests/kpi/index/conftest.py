"""Every index test starts from what a migrated database holds: the shipped formula set's row.
A transactional (live-server) test earlier in the same process flushes every table, migration
rows included; the engine puts the row back on first use, but a test that reads the row or
counts queries must find it there already."""

import datetime as dt

import pytest

from motcua.kpi.index import formulas


@pytest.fixture(autouse=True)
def shipped_formula_set(db):
    formulas.in_force(dt.date(2026, 1, 1))
