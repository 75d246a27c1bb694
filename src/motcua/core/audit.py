"""The audit log: `record()` appends a hash-chained event inside the caller's transaction.

Every service that changes state calls `record()` before it returns, inside the same
`transaction.atomic()` block, so the change and its audit row commit or roll back together.
`verify_chain()` (and `manage.py audit_verify`) recomputes the chain to prove nothing was
edited, deleted or reordered; on PostgreSQL a trigger also refuses UPDATE, DELETE and TRUNCATE.

There is one chain per unit (`AuditEvent.chain` = the unit's id, 0 for events without a unit):
appending takes that chain's lock until commit, so one commune's burst of receptions never
waits on another commune's (docs/decisions/0014-audit-chain-per-unit.md).

The hash is computed from the values exactly as the database will give them back (integers for
keys, UTC microsecond timestamps, normalised IP addresses, JSON-round-tripped changes), so a
row read from SQLite or PostgreSQL, or from a restored backup, recomputes to the same hash.
"""

import contextlib
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import ratelimit
from .middleware import current_request
from .models import AuditEvent

GENESIS = "0" * 64
_LOCK_CLASS = 7_202_511  # pg advisory lock (class, chain) that serialises appends to a chain
NO_UNIT_CHAIN = 0
MAX_PROBLEMS = 100  # a broken chain can break at every row; the first ones are what matters


def _normalise(value: Any) -> Any:
    """What the JSON column will give back, so the hash can be recomputed from the row."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _normalise_ip(ip: str | None) -> str | None:
    """The text PostgreSQL's inet column returns (IPv6 compressed); None if not an address.

    A proxy can put anything in REMOTE_ADDR; an unparsable value must not make the change fail.
    """
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return None


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def event_digest(event: AuditEvent, prev_hash: str) -> str:
    """SHA-256 over the row's content and the previous row's hash (canonical JSON)."""
    payload = {
        "created_at": _utc(event.created_at).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "unit": event.unit_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "changes": event.changes,
        "ip": event.ip_address,
        "prev": prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _client_ip(request) -> str | None:
    return ratelimit.client_ip(request) if request is not None else None


def _check_length(name: str, value: str) -> str:
    limit = AuditEvent._meta.get_field(name).max_length
    if len(value) > limit:
        # Programming error: truncating an identifier would make the log point elsewhere.
        raise ValueError(f"audit {name} longer than {limit} characters: {value[:40]}...")
    return value


_HEAD_SQL = "SELECT hash FROM core_auditevent WHERE chain = %s ORDER BY id DESC LIMIT 1"
assert AuditEvent._meta.db_table == "core_auditevent"


def hold_chain(unit: Any) -> None:
    """Take `unit`'s chain lock now, inside the caller's transaction (PostgreSQL; a no-op
    elsewhere). For a writer that locks a row which audited transactions lock only after their
    first audit row (a cash-book day): taking the chain first keeps one lock order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the audit chain is held only inside a transaction")
    if connection.vendor == "postgresql":
        unit_id = getattr(unit, "pk", unit)
        chain = int(unit_id) if unit_id not in (None, "") else NO_UNIT_CHAIN
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, chain])


def record(
    *,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    changes: dict | None = None,
    actor: Any = None,
    unit: Any = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. `obj` fills type/id/repr; `actor` and `ip` default to the request's."""
    request = current_request()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser: a citizen or a job acting without an account
    if ip is None:
        ip = _client_ip(request)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id if object_id not in ("", None) else obj.pk
    unit_id = getattr(unit, "pk", unit)
    unit_id = int(unit_id) if unit_id not in (None, "") else None
    chain = unit_id or NO_UNIT_CHAIN
    # Checked before the transaction: a refused event must not spoil the caller's transaction.
    fields = {
        "action": _check_length("action", action),
        "object_type": _check_length("object_type", object_type),
        "object_id": _check_length("object_id", str(object_id)),
    }
    pending = _open_batch()
    if pending is not None:
        event = AuditEvent(
            created_at=_utc(timezone.now()),
            actor=actor,
            actor_label=(actor.get_username() if actor is not None else "")[:150],
            unit_id=unit_id,
            chain=chain,
            object_repr=str(obj)[:200] if obj is not None else "",
            changes=_normalise(changes or {}),
            ip_address=_normalise_ip(ip),
            **fields,
        )
        pending.add(event)
        return event
    # No savepoint: the row commits or rolls back with the caller's change anyway, and the two
    # round trips a savepoint costs are spent while the chain's lock is held.
    with transaction.atomic(savepoint=False):
        # Plain SQL for the chain's head: every state change passes here, and building the
        # same one-column query through the ORM cost more than running it.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, chain])
            cursor.execute(_HEAD_SQL, [chain])
            head = cursor.fetchone()
        prev = head[0] if head else GENESIS
        event = AuditEvent(
            # Microsecond precision is what both SQLite and PostgreSQL keep.
            created_at=_utc(timezone.now()),
            actor=actor,
            actor_label=(actor.get_username() if actor is not None else "")[:150],
            unit_id=unit_id,
            chain=chain,
            object_repr=str(obj)[:200] if obj is not None else "",
            changes=_normalise(changes or {}),
            ip_address=_normalise_ip(ip),
            prev_hash=prev,
            **fields,
        )
        event.hash = event_digest(event, prev)
        event.save(force_insert=True)
    return event


# --- several rows of one transaction, written together -----------------------------------------

_BATCH_ATTR = "_motcua_audit_batch"


class _Batch:
    """The audit rows of one `batch()` block: chained in memory, inserted in one statement.

    The first row of a chain takes the chain's lock and reads its head at once, exactly where
    `record()` would (so the locks are taken in the same order as without a batch); the next
    rows of that chain link to the previous pending row, which is right because the lock is
    held to the commit. The rows are inserted when the block ends, or just before a savepoint
    is opened inside it (so a savepoint rolled back never takes rows written outside it)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.savepoints = _savepoints(conn)
        self.rows: list[AuditEvent] = []
        self.heads: dict[int, str] = {}
        self.open = True
        self.flushing = False

    def add(self, event: AuditEvent) -> None:
        if event.chain not in self.heads:
            with self.conn.cursor() as cursor:
                if self.conn.vendor == "postgresql":
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, event.chain]
                    )
                cursor.execute(_HEAD_SQL, [event.chain])
                head = cursor.fetchone()
            self.heads[event.chain] = head[0] if head else GENESIS
        event.prev_hash = self.heads[event.chain]
        event.hash = event_digest(event, event.prev_hash)
        self.heads[event.chain] = event.hash
        self.rows.append(event)

    def flush(self) -> None:
        """Insert the pending rows (one INSERT) and stop batching: later rows go one by one."""
        self.open = False
        rows, self.rows = self.rows, []
        if not rows:
            return
        # Plain SQL, as for the head: bulk_create cost more to build than the INSERT to run.
        fields, qn = _insert_fields(), self.conn.ops.quote_name
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO core_auditevent ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([one] * len(rows))} RETURNING id"
        )
        params = [
            f.get_db_prep_save(getattr(row, f.attname), self.conn) for row in rows for f in fields
        ]
        self.flushing = True
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(sql, params)
                ids = [pk for (pk,) in cursor.fetchall()]
        finally:
            self.flushing = False
        if len(ids) != len(rows) or ids != sorted(ids):  # the chain is verified in id order
            raise RuntimeError("audit rows were not given increasing ids")
        for row, pk in zip(rows, ids, strict=True):
            row.pk = pk
            row._state.adding = False
            row._state.db = self.conn.alias

    def before_statement(self, execute, sql, params, many, context):
        if self.open and not self.flushing and str(sql).lstrip().upper().startswith("SAVEPOINT"):
            self.flush()
        return execute(sql, params, many, context)


def _insert_fields() -> list:
    return [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]


def _savepoints(conn) -> tuple:
    # an inner atomic(savepoint=False) is a None here: an error in it dooms the transaction
    return tuple(sid for sid in conn.savepoint_ids if sid is not None)


def _open_batch() -> _Batch | None:
    pending = getattr(connection, _BATCH_ATTR, None)
    if pending is None or not pending.open:
        return None
    if _savepoints(connection) != pending.savepoints:  # not expected: be safe
        pending.flush()
        return None
    return pending


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Inside the caller's transaction: the `record()` calls of the block are written together
    when it ends (one INSERT, and the chain's lock and head read once per chain, not once per
    row). The rows are the same, with the same hashes, as one `record()` after another would
    write; an error leaves the block without writing them (the transaction rolls back). A
    `record()` returns the row before it is saved (no id until the block ends). A block inside
    another joins it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit rows are batched only inside a transaction")
    outer = getattr(connection, _BATCH_ATTR, None)
    if outer is not None:
        yield
        return
    pending = _Batch(connection)
    setattr(connection, _BATCH_ATTR, pending)
    try:
        with connection.execute_wrapper(pending.before_statement):
            yield
            if pending.open and not connection.needs_rollback:
                pending.flush()
    finally:
        pending.open = False
        setattr(connection, _BATCH_ATTR, None)


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


# --- verification ---------------------------------------------------------------------------


@dataclass
class VerifyResult:
    """Outcome of `verify_chain`: `problems` name the event ids, Vietnamese / English."""

    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)
    head_id: int | None = None  # the newest event of the whole log
    head_hash: str = GENESIS
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # chain -> (id, hash)


def _stream(batch_size: int) -> Iterator[AuditEvent]:
    """Keyset pagination in id order: constant memory for millions of rows."""
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def _link_problem(event: AuditEvent, previous: AuditEvent | None) -> str:
    """Explain a broken link: the expected predecessor is elsewhere (reordered) or gone."""
    after = f"#{previous.id}" if previous is not None else "đầu chuỗi / chain start"
    owner = (
        AuditEvent.objects.filter(hash=event.prev_hash).values_list("id", flat=True).first()
        if event.prev_hash != GENESIS
        else None
    )
    if owner is not None:
        return (
            f"Sự kiện #{event.id}: sai thứ tự, phải đứng ngay sau #{owner} chứ không phải sau "
            f"{after} / event #{event.id}: reordered, should follow #{owner}, not {after}"
        )
    if event.prev_hash == GENESIS:
        return (
            f"Sự kiện #{event.id}: tự nhận là sự kiện đầu tiên nhưng đứng sau {after} / "
            f"event #{event.id}: claims to start the chain but follows {after}"
        )
    return (
        f"Sự kiện #{event.id}: sự kiện liền trước đã bị xoá (giữa {after} và #{event.id}) / "
        f"event #{event.id}: the event before it was deleted (between {after} and #{event.id})"
    )


def verify_chain(
    batch_size: int = 5000,
    anchor: tuple[int, str] | None = None,
    anchors: list[tuple[int, str]] | None = None,
) -> VerifyResult:
    """Recompute every hash in id order and check each row links to the one before it in its
    chain.

    An anchor is an (id, hash) pair written down earlier (e.g. the chain heads printed by last
    night's check, `audit_verify --heads`): it catches the one thing a chain alone cannot, rows
    cut off at its end.
    """
    problems: list[str] = []
    found = 0
    checked = 0
    last: dict[int, AuditEvent] = {}  # chain -> its latest event so far
    newest: AuditEvent | None = None

    def add(message: str) -> None:
        nonlocal found
        found += 1
        if found <= MAX_PROBLEMS:
            problems.append(message)

    for event in _stream(batch_size):
        checked += 1
        if event_digest(event, event.prev_hash) != event.hash:
            add(
                f"Sự kiện #{event.id}: nội dung đã bị sửa (hash không khớp) / "
                f"event #{event.id}: content altered (hash mismatch)"
            )
        previous = last.get(event.chain)
        if event.prev_hash != (previous.hash if previous is not None else GENESIS):
            add(_link_problem(event, previous))
        last[event.chain] = event
        newest = event

    for anchor_id, anchor_hash in [*([anchor] if anchor else []), *(anchors or [])]:
        stored = AuditEvent.objects.filter(id=anchor_id).values_list("hash", flat=True).first()
        if stored is None:
            add(
                f"Mốc #{anchor_id} không còn trong nhật ký (bị xoá hoặc cắt cụt) / "
                f"anchor #{anchor_id} is missing (deleted or truncated)"
            )
        elif stored != anchor_hash:
            add(
                f"Mốc #{anchor_id} có hash khác với hash đã ghi lại / "
                f"anchor #{anchor_id} has a different hash than the one written down"
            )

    if found > MAX_PROBLEMS:
        problems.append(
            f"... và {found - MAX_PROBLEMS} vấn đề khác / and {found - MAX_PROBLEMS} more"
        )
    return VerifyResult(
        ok=not problems,
        checked=checked,
        problems=problems,
        head_id=newest.id if newest is not None else None,
        head_hash=newest.hash if newest is not None else GENESIS,
        heads={chain: (e.id, e.hash) for chain, e in sorted(last.items())},
    )
