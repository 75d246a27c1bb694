"""On PostgreSQL, the registry lookup log is append-only at the database level, as the audit
log and the dossier events are (dossiers 0004): UPDATE, DELETE and TRUNCATE are refused,
TRUNCATE let through only for the test suite's flush (`motcua.audit_truncate = 'allow'`).
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION registry_registrylookup_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('motcua.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'nhật ký tra cứu dân cư chỉ được ghi thêm (registry lookups are append-only): % bị từ chối',
        TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Mỗi lượt tra cứu ghi qua motcua.registry.services.lookup(); không sửa, xoá lượt cũ.';
END;
$$;

DROP TRIGGER IF EXISTS registry_registrylookup_no_update_delete ON registry_registrylookup;
CREATE TRIGGER registry_registrylookup_no_update_delete
    BEFORE UPDATE OR DELETE ON registry_registrylookup
    FOR EACH ROW EXECUTE FUNCTION registry_registrylookup_append_only();

DROP TRIGGER IF EXISTS registry_registrylookup_no_truncate ON registry_registrylookup;
CREATE TRIGGER registry_registrylookup_no_truncate
    BEFORE TRUNCATE ON registry_registrylookup
    FOR EACH STATEMENT EXECUTE FUNCTION registry_registrylookup_append_only();
"""

REMOVE = r"""
DROP TRIGGER IF EXISTS registry_registrylookup_no_truncate ON registry_registrylookup;
DROP TRIGGER IF EXISTS registry_registrylookup_no_update_delete ON registry_registrylookup;
DROP FUNCTION IF EXISTS registry_registrylookup_append_only();
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
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
