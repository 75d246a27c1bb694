"""One row per key, created on first use and locked until commit: gap-free numbers and seat locks.

Ticket numbers (queueing `TicketSequence`), dossier codes (dossiers `DailySequence`) and booking
seats (queueing `BookingSlot`) all need "the row for this key, created if missing, held by this
transaction so the next one waits". Both helpers must run inside the caller's transaction: the
lock lasts until it commits, and a rollback gives the number back. Never `max() + 1`.
"""

from __future__ import annotations

from django.db import connection, models, transaction


def next_value(model: type[models.Model], *, field: str = "last_value", **key) -> int:
    """Add 1 to `field` of the `key` row of `model` (created at 1) and return the new value.

    One statement, INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING (PostgreSQL, SQLite
    3.35+): the conflicting row is locked until commit, so concurrent callers are served one
    after the other and each reads the value the previous one committed. `key` must be the
    fields of a unique constraint of `model`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{model.__name__} numbers must be taken inside a transaction")
    meta, qn = model._meta, connection.ops.quote_name
    key_fields = [meta.get_field(name) for name in key]
    columns = ", ".join(qn(f.column) for f in key_fields)
    params = [
        f.get_db_prep_value(value.pk if isinstance(value, models.Model) else value, connection)
        for f, value in zip(key_fields, key.values(), strict=True)
    ]
    table, counter = qn(meta.db_table), qn(meta.get_field(field).column)
    placeholders = ", ".join(["%s"] * (len(key_fields) + 1))
    sql = (
        f"INSERT INTO {table} ({columns}, {counter}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({columns}) DO UPDATE SET {counter} = {table}.{counter} + 1 "
        f"RETURNING {counter}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, 1])
        return int(cursor.fetchone()[0])


def lock_row(model: type[models.Model], **key) -> models.Model:
    """The `key` row of `model`, created if missing, locked (SELECT ... FOR UPDATE) until commit."""
    model.objects.bulk_create([model(**key)], ignore_conflicts=True)
    return model.objects.select_for_update().get(**key)
