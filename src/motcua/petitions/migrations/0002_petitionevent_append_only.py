"""On PostgreSQL, a petition's events are append-only at the database level, as the audit
log and the dossier events are (dossiers 0004): UPDATE, DELETE and TRUNCATE are refused,
TRUNCATE let through only for the test suite's flush (`motcua.audit_truncate = 'allow'`).
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION petitions_petitionevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('motcua.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'diễn biến phản ánh chỉ được ghi thêm (petition events are append-only): % bị từ chối',
        TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Mỗi thay đổi ghi qua motcua.petitions.machine.PETITIONS; không sửa, xoá diễn biến cũ.';
END;
$$;

DROP TRIGGER IF EXISTS petitions_petitionevent_no_update_delete ON petitions_petitionevent;
CREATE TRIGGER petitions_petitionevent_no_update_delete
    BEFORE UPDATE OR DELETE ON petitions_petitionevent
    FOR EACH ROW EXECUTE FUNCTION petitions_petitionevent_append_only();

DROP TRIGGER IF EXISTS petitions_petitionevent_no_truncate ON petitions_petitionevent;
CREATE TRIGGER petitions_petitionevent_no_truncate
    BEFORE TRUNCATE ON petitions_petitionevent
    FOR EACH STATEMENT EXECUTE FUNCTION petitions_petitionevent_append_only();
"""

REMOVE = r"""
DROP TRIGGER IF EXISTS petitions_petitionevent_no_truncate ON petitions_petitionevent;
DROP TRIGGER IF EXISTS petitions_petitionevent_no_update_delete ON petitions_petitionevent;
DROP FUNCTION IF EXISTS petitions_petitionevent_append_only();
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
        ("petitions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
