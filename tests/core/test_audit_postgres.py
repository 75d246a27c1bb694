"""On PostgreSQL the database itself refuses to edit or delete audit events, and concurrent
writers from several app servers still produce one valid chain."""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from motcua.core import audit
from motcua.core.models import AuditEvent

pytestmark = pytest.mark.postgres
REFUSAL = "nhật ký thao tác chỉ được ghi thêm"


@pytest.fixture
def event(db):
    audit.record(action="unit.create", object_type="core.unit", object_id=1)
    return audit.record(action="unit.rename", object_type="core.unit", object_id=1)


@pytest.mark.parametrize(
    "change",
    [
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(action="unit.delete"),
        lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
        lambda e: AuditEvent.objects.all().delete(),
        lambda e: e.save(),  # a plain ORM save of an existing row is an UPDATE
    ],
    ids=["orm-update", "orm-delete", "orm-delete-all", "orm-save"],
)
def test_orm_cannot_change_or_delete_an_event(event, change):
    with pytest.raises(DatabaseError, match=REFUSAL), transaction.atomic():
        change(event)
    assert audit.verify_chain().ok
    assert AuditEvent.objects.count() == 2


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
        "TRUNCATE core_auditevent",
    ],
    ids=["sql-update", "sql-delete", "sql-truncate"],
)
def test_raw_sql_cannot_change_delete_or_truncate_events(event, sql):
    with (
        pytest.raises(DatabaseError, match=REFUSAL),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # test sessions may TRUNCATE to flush (conftest); a production session may not
        cursor.execute("SET LOCAL motcua.audit_truncate = ''")
        cursor.execute(sql, [event.pk] if "%s" in sql else None)
    assert AuditEvent.objects.count() == 2


def test_appending_still_works_under_the_trigger(event):
    audit.record(action="unit.close", object_type="core.unit", object_id=1)
    assert AuditEvent.objects.count() == 3
    assert audit.verify_chain().ok


@pytest.fixture
def allow_flush(transactional_db):
    """The test database is emptied with TRUNCATE after a transactional test; this is the
    documented switch that lets that (and only that) through the append-only trigger."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET motcua.audit_truncate = 'allow'")


def test_concurrent_writers_keep_one_valid_chain(allow_flush):
    writers, per_writer = 6, 15
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with transaction.atomic():  # each change in its own transaction, like requests
                    audit.record(
                        action="ticket.call",
                        object_type="queueing.ticket",
                        object_id=f"{n}-{i}",
                        changes={"counter": n},
                    )
        except BaseException as exc:  # noqa: BLE001  reported in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors
    result = audit.verify_chain()
    assert result.ok, result.problems
    assert result.checked == writers * per_writer
    assert AuditEvent.objects.values("prev_hash").distinct().count() == writers * per_writer


def test_one_communes_open_transaction_does_not_hold_up_another_communes_audit(allow_flush):
    """The chain lock is per unit: a slow reception in commune A (its transaction still open)
    does not make commune B's officers wait."""
    from motcua.core.models import Unit

    a = Unit.objects.create(code="25210", name="Xã Tân Lập", kind=Unit.Kind.COMMUNE)
    b = Unit.objects.create(code="25213", name="Xã Đồng Tâm", kind=Unit.Kind.COMMUNE)
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow_commune_a() -> None:
        try:
            with transaction.atomic():
                audit.record(action="dossier.receive", object_type="x", object_id=1, unit=a)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def commune_b() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
                outcome["b"] = audit.record(
                    action="dossier.receive", object_type="x", object_id=2, unit=b
                )
        except BaseException as exc:  # noqa: BLE001  the main thread asserts what happened
            outcome["b"] = exc
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_commune_a)
    slow.start()
    assert holding.wait(timeout=10)
    other = threading.Thread(target=commune_b)
    other.start()
    other.join(timeout=10)
    release.set()
    slow.join(timeout=10)

    assert isinstance(outcome.get("b"), AuditEvent), outcome.get("b")
    result = audit.verify_chain()
    assert result.ok, result.problems
    assert set(result.heads) == {a.pk, b.pk}
