"""On PostgreSQL, make the audit log append-only at the database level.

A BEFORE UPDATE/DELETE row trigger and a BEFORE TRUNCATE statement trigger raise
"nhật ký thao tác chỉ được ghi thêm". TRUNCATE is let through only when the session sets
`motcua.audit_truncate = 'allow'` (the test suite's flush between transactional tests, or a DBA
deliberately wiping a non-production copy). SQLite has no such guard: `audit_verify` catches edits.
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('motcua.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'nhật ký thao tác chỉ được ghi thêm (audit log is append-only): % bị từ chối',
        TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Ghi sự kiện mới bằng motcua.core.audit.record(); không sửa, xoá sự kiện cũ.';
END;
$$;

DROP TRIGGER IF EXISTS core_auditevent_no_update_delete ON core_auditevent;
CREATE TRIGGER core_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();

DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only();
"""

REMOVE = r"""
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_no_update_delete ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A raw cursor without parameters: the SQL contains '%' (plpgsql RAISE placeholders).
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(INSTALL)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(REMOVE)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
