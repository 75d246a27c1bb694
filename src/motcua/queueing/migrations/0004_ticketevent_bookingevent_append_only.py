"""On PostgreSQL, make ticket and booking histories (TicketEvent, BookingEvent) append-only.

The event rows are what the queue statistics, the wait estimate and a citizen's complaint are
checked against; until now only convention kept them unedited. As for the audit log (core 0002)
and a dossier's history (dossiers 0004): a BEFORE UPDATE/DELETE row trigger and a BEFORE
TRUNCATE statement trigger raise "lịch sử số thứ tự / lịch hẹn chỉ được ghi thêm", and TRUNCATE
is let through only when the session sets `motcua.audit_truncate = 'allow'` (the test suite's
flush between transactional tests). Deleting a ticket or a booking was already refused
(`on_delete=PROTECT`). SQLite has no such guard.

The SQL is written out here, not imported from the app: a migration must keep doing what it did
when it was written.
"""

from django.db import migrations

TABLES = {
    "queueing_ticketevent": "lịch sử số thứ tự chỉ được ghi thêm (ticket events are append-only)",
    "queueing_bookingevent": "lịch sử lịch hẹn chỉ được ghi thêm (booking events are append-only)",
}

FUNCTION = r"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('motcua.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{message}: % bị từ chối',
        TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Ghi sự kiện mới qua motcua.core.statemachine; không sửa, xoá sự kiện cũ.';
END;
$$;

DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};
CREATE TRIGGER {table}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();

DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();
"""

REMOVE = r"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A raw cursor without parameters: the SQL contains '%' (plpgsql RAISE placeholders).
        with schema_editor.connection.cursor() as cursor:
            for table, message in TABLES.items():
                cursor.execute(FUNCTION.format(table=table, message=message))


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(REMOVE.format(table=table))


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0003_ticket_access_token_near_notified"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
