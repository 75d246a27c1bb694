"""The audit log: `record()` appends a hash-chained event inside the caller's transaction.

Every service that changes state calls `record()` before it returns, inside the same
`transaction.atomic()` block, so the change and its audit row commit or roll back together.
"""

import hashlib
import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .middleware import current_request
from .models import AuditEvent

GENESIS = "0" * 64
_LOCK_KEY = 7_202_511  # pg advisory lock id that serialises appends to the chain


def _normalise(value: Any) -> Any:
    """What the JSON column will give back, so the hash can be recomputed from the row."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def event_digest(event: AuditEvent, prev_hash: str) -> str:
    payload = {
        "created_at": event.created_at.astimezone(timezone.UTC).isoformat(),
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
    return request.META.get("REMOTE_ADDR") if request is not None else None


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
        actor = request.user if request.user.is_authenticated else None
    if ip is None:
        ip = _client_ip(request)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        prev = prev or GENESIS
        event = AuditEvent(
            created_at=timezone.now(),
            actor=actor,
            actor_label=(actor.get_username() if actor is not None else "")[:150],
            unit_id=getattr(unit, "pk", unit),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=str(obj)[:200] if obj is not None else "",
            changes=_normalise(changes or {}),
            ip_address=ip,
            prev_hash=prev,
        )
        event.hash = event_digest(event, prev)
        event.save(force_insert=True)
    return event


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
