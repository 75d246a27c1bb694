"""On PostgreSQL a dossier's history cannot be rewritten: the database refuses to edit,
delete or truncate `DossierEvent` rows, while new events are still appended."""

import pytest
from django.db import DatabaseError, connection, transaction

from motcua.dossiers import services
from motcua.dossiers.models import DossierEvent, Status

from .factories import drive_to

pytestmark = pytest.mark.postgres
REFUSAL = "lịch sử hồ sơ chỉ được ghi thêm"


@pytest.fixture
def dossier(world):
    return drive_to(world, Status.PROCESSING)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: DossierEvent.objects.filter(dossier=d).update(note="sửa lại"),
        lambda d: DossierEvent.objects.filter(dossier=d, action="start_processing").delete(),
        lambda d: d.events.first().save(),  # a plain ORM save of an existing row is an UPDATE
    ],
    ids=["orm-update", "orm-delete", "orm-save"],
)
def test_orm_cannot_change_or_delete_a_dossier_event(dossier, change):
    count = dossier.events.count()
    with pytest.raises(DatabaseError, match=REFUSAL), transaction.atomic():
        change(dossier)
    assert dossier.events.count() == count == dossier.version


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE dossiers_dossierevent SET to_status = 10 WHERE dossier_id = %s",
        "DELETE FROM dossiers_dossierevent WHERE dossier_id = %s",
        "TRUNCATE dossiers_dossierevent CASCADE",
    ],
    ids=["sql-update", "sql-delete", "sql-truncate"],
)
def test_raw_sql_cannot_change_delete_or_truncate_dossier_events(dossier, sql):
    with (
        pytest.raises(DatabaseError, match=REFUSAL),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # test sessions may TRUNCATE to flush (tests/conftest.py); a production session may not
        cursor.execute("SET LOCAL motcua.audit_truncate = ''")
        # the test's own inserts leave deferred FK checks pending, which TRUNCATE would refuse
        # for that reason instead of ours: run them now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, [dossier.pk] if "%s" in sql else None)
    assert dossier.events.count() == dossier.version


def test_the_lifecycle_still_appends_events_under_the_trigger(world, dossier):
    d = services.submit_for_approval(world.specialist, dossier_id=dossier.pk)
    assert d.status == Status.AWAITING_APPROVAL
    assert d.events.count() == d.version
    assert d.current_event == d.events.order_by("-id").first()
