"""On PostgreSQL, make a dossier's history (DossierEvent) append-only at the database level.

The event list is the Phiếu kiểm soát's source and `events.count() == version`; until now only
convention kept it unedited. As for the audit log (core 0002): a BEFORE UPDATE/DELETE row
trigger and a BEFORE TRUNCATE statement trigger raise "lịch sử hồ sơ chỉ được ghi thêm", and
TRUNCATE is let through only when the session sets `motcua.audit_truncate = 'allow'` (the test
suite's flush between transactional tests). Deleting a dossier was already refused
(`on_delete=PROTECT`). SQLite has no such guard.
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION dossiers_dossierevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('motcua.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'lịch sử hồ sơ chỉ được ghi thêm (dossier events are append-only): % bị từ chối',
        TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Ghi sự kiện mới bằng motcua.dossiers.services.transition(); không sửa, xoá sự kiện cũ.';
END;
$$;

DROP TRIGGER IF EXISTS dossiers_dossierevent_no_update_delete ON dossiers_dossierevent;
CREATE TRIGGER dossiers_dossierevent_no_update_delete
    BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION dossiers_dossierevent_append_only();

DROP TRIGGER IF EXISTS dossiers_dossierevent_no_truncate ON dossiers_dossierevent;
CREATE TRIGGER dossiers_dossierevent_no_truncate
    BEFORE TRUNCATE ON dossiers_dossierevent
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_dossierevent_append_only();
"""

REMOVE = r"""
DROP TRIGGER IF EXISTS dossiers_dossierevent_no_truncate ON dossiers_dossierevent;
DROP TRIGGER IF EXISTS dossiers_dossierevent_no_update_delete ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS dossiers_dossierevent_append_only();
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
        ("dossiers", "0003_result_delivery_from_reception_note"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
