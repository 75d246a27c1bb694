"""On PostgreSQL, receipts and closed cash-book days are guarded at the database level.

As the audit log and the dossier's history are (core 0002, dossiers 0004): a BEFORE
UPDATE/DELETE row trigger and a BEFORE TRUNCATE statement trigger; TRUNCATE is let through only
when the session sets `motcua.audit_truncate = 'allow'` (the test suite's flush). A receipt is
never deleted and never edited: the one UPDATE allowed voids a valid receipt (status, when, who,
why), every other column unchanged, so a voided number stays in the series. A cash-book day may
be changed only until it is closed. SQLite has no such guard.
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION payments_receipt_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kept text[] := ARRAY['status', 'voided_at', 'voided_by_id', 'void_reason'];
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('motcua.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = 'valid' AND NEW.status = 'void'
       AND (to_jsonb(NEW) - kept) = (to_jsonb(OLD) - kept) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'biên lai không được sửa, xoá; chỉ được hủy có lý do (receipts are append-only): % bị từ chối',
        TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Hủy biên lai bằng motcua.payments.receipts.void().';
END;
$$;

DROP TRIGGER IF EXISTS payments_receipt_no_update_delete ON payments_receipt;
CREATE TRIGGER payments_receipt_no_update_delete
    BEFORE UPDATE OR DELETE ON payments_receipt
    FOR EACH ROW EXECUTE FUNCTION payments_receipt_guard();
DROP TRIGGER IF EXISTS payments_receipt_no_truncate ON payments_receipt;
CREATE TRIGGER payments_receipt_no_truncate
    BEFORE TRUNCATE ON payments_receipt
    FOR EACH STATEMENT EXECUTE FUNCTION payments_receipt_guard();

CREATE OR REPLACE FUNCTION payments_cashbookday_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('motcua.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.closed_at IS NULL THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'sổ quỹ đã khóa không được sửa, xoá (a closed cash book is final): % bị từ chối',
        TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS payments_cashbookday_no_update_delete ON payments_cashbookday;
CREATE TRIGGER payments_cashbookday_no_update_delete
    BEFORE UPDATE OR DELETE ON payments_cashbookday
    FOR EACH ROW EXECUTE FUNCTION payments_cashbookday_guard();
DROP TRIGGER IF EXISTS payments_cashbookday_no_truncate ON payments_cashbookday;
CREATE TRIGGER payments_cashbookday_no_truncate
    BEFORE TRUNCATE ON payments_cashbookday
    FOR EACH STATEMENT EXECUTE FUNCTION payments_cashbookday_guard();
"""

REMOVE = r"""
DROP TRIGGER IF EXISTS payments_cashbookday_no_truncate ON payments_cashbookday;
DROP TRIGGER IF EXISTS payments_cashbookday_no_update_delete ON payments_cashbookday;
DROP FUNCTION IF EXISTS payments_cashbookday_guard();
DROP TRIGGER IF EXISTS payments_receipt_no_truncate ON payments_receipt;
DROP TRIGGER IF EXISTS payments_receipt_no_update_delete ON payments_receipt;
DROP FUNCTION IF EXISTS payments_receipt_guard();
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
        ("payments", "0004_receipts_and_cash_book"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
