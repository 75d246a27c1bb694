"""Audit rows written together (`audit.batch`): the same chain, fewer round trips, and never
a row that outlives its change or a change without its row."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.core import audit
from motcua.core.models import AuditEvent, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune():
    return Unit.objects.create(code="25210", name="Xã Tân Lập", kind=Unit.Kind.COMMUNE)


@pytest.fixture
def other_commune():
    return Unit.objects.create(code="25213", name="Xã Vĩnh Bảo", kind=Unit.Kind.COMMUNE)


def _write(unit, n):
    return audit.record(
        action="payment.attempt_pay",
        object_type="payments.paymentattempt",
        object_id=n,
        unit=unit,
        changes={"status": ["created", "paid"], "n": n},
    )


def test_rows_of_a_block_chain_as_one_by_one_and_are_written_in_one_insert(commune, other_commune):
    _write(commune, 0)  # a head already there
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), audit.batch():
        written = [_write(unit, n) for n, unit in enumerate([commune, other_commune] * 3, 1)]
        assert all(e.pk is None for e in written)  # not saved before the block ends
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    heads = [q for q in ctx.captured_queries if "ORDER BY id DESC LIMIT 1" in q["sql"]]
    assert len(inserts) == 1 and len(heads) == 2  # one head read per chain
    assert [e.pk for e in written] == sorted(e.pk for e in written)
    result = audit.verify_chain()
    assert result.ok, result.problems
    assert result.checked == 7


def test_an_error_in_the_block_writes_nothing(commune):
    with pytest.raises(RuntimeError), transaction.atomic(), audit.batch():
        commune.name = "Xã Tân Lập mới"
        commune.save()
        _write(commune, 1)
        raise RuntimeError("refused after the write")
    commune.refresh_from_db()
    assert commune.name == "Xã Tân Lập"
    assert not AuditEvent.objects.exists()


def test_a_savepoint_rolled_back_inside_the_block_keeps_the_rows_written_before_it(commune):
    with transaction.atomic(), audit.batch():
        _write(commune, 1)
        with pytest.raises(RuntimeError), transaction.atomic():  # a nested service that fails
            _write(commune, 2)
            raise RuntimeError("its own change is undone")
        _write(commune, 3)
    kept = list(AuditEvent.objects.order_by("id").values_list("object_id", flat=True))
    assert kept == ["1", "3"]
    result = audit.verify_chain()
    assert result.ok, result.problems


def test_rows_after_the_block_link_to_the_last_row_of_the_block(commune):
    with transaction.atomic():
        with audit.batch():
            _write(commune, 1)
            _write(commune, 2)
        last = _write(commune, 3)
    assert last.prev_hash == AuditEvent.objects.get(object_id="2").hash
    assert audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_a_block_needs_a_transaction():
    with pytest.raises(RuntimeError), audit.batch():
        pass
