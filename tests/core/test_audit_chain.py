"""The audit log is a hash chain: every edit, deletion or reordering is found and named."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.test import RequestFactory

from motcua.accounts.models import User
from motcua.core import audit
from motcua.core.middleware import RequestContextMiddleware
from motcua.core.models import AuditEvent, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune():
    return Unit.objects.create(code="25210", name="Xã Tân Lập", kind=Unit.Kind.COMMUNE)


@pytest.fixture
def officer():
    return User.objects.create_user(username="canbo.motcua", password="x", full_name="Lê Văn An")


@pytest.fixture
def chain(commune, officer):
    """Five events as services would write them."""
    return [
        audit.record(
            action="dossier.receive",
            object_type="dossiers.dossier",
            object_id=f"000.00.12.H23-250115-000{i}",
            changes={"status": [1, 2], "note": f"lần {i}"},
            actor=officer,
            unit=commune,
            ip="10.0.0.7",
        )
        for i in range(1, 6)
    ]


def tamper(sql: str, params: list) -> None:
    """Change rows behind the application's back, as an attacker with SQL access would.

    On PostgreSQL the append-only trigger has to be switched off first (table owner only); the
    test transaction's rollback switches it back on.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")


def test_untouched_log_verifies_as_intact(chain):
    result = audit.verify_chain()
    assert result.ok, result.problems
    assert result.checked == 5
    assert result.head_id == chain[-1].id
    assert result.head_hash == chain[-1].hash


def test_empty_log_is_intact():
    result = audit.verify_chain()
    assert result.ok and result.checked == 0 and result.head_id is None


def test_each_event_points_at_the_previous_one(chain):
    assert chain[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]


def test_hash_recomputes_from_the_row_read_back_from_the_database(commune, officer):
    """Odd inputs (uncompressed IPv6, unit id as text, dates and decimals in changes) are stored
    in the form the database returns, so the stored hash matches a recomputation."""
    event = audit.record(
        action="fee.change",
        object_type="catalog.procedure",
        object_id=17,
        changes={"fee": Decimal("50000"), "from": dt.date(2026, 1, 1), 3: None, "tên": "Phí"},
        actor=officer,
        unit=str(commune.pk),
        ip="2001:0db8:0000:0000:0000:0000:0000:0001",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip_address == "2001:db8::1"
    assert stored.unit_id == commune.pk
    assert stored.created_at == event.created_at
    assert audit.event_digest(stored, stored.prev_hash) == stored.hash
    assert audit.verify_chain().ok


def test_unparsable_client_address_does_not_block_the_change():
    event = audit.record(action="login.failed", object_type="accounts.user", ip="unknown")
    assert AuditEvent.objects.get(pk=event.pk).ip_address is None
    assert audit.verify_chain().ok


def test_event_names_the_signed_in_officer_and_their_address(officer):
    def view(request):
        audit.record(action="procedure.publish", object_type="catalog.procedure", object_id=3)
        return None

    request = RequestFactory().post("/", REMOTE_ADDR="203.113.1.9")
    request.user = officer
    RequestContextMiddleware(view)(request)

    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_label, event.ip_address) == (
        officer.pk,
        "canbo.motcua",
        "203.113.1.9",
    )


def test_anonymous_visitor_is_recorded_without_an_account():
    event = audit.record(action="ticket.take", object_type="queueing.ticket", actor=AnonymousUser())
    assert event.actor_id is None and event.actor_label == ""


def test_overlong_object_id_is_refused_rather_than_cut():
    with pytest.raises(ValueError, match="object_id"):
        audit.record(action="x", object_type="y", object_id="9" * 65)
    assert not AuditEvent.objects.exists()


def test_event_disappears_with_the_change_when_the_transaction_rolls_back(commune):
    with pytest.raises(RuntimeError), transaction.atomic():
        commune.name = "Xã Tân Lập mới"
        commune.save()
        audit.record(action="unit.rename", obj=commune, changes={"name": ["a", "b"]})
        raise RuntimeError("validation failed after the write")
    commune.refresh_from_db()
    assert commune.name == "Xã Tân Lập"
    assert not AuditEvent.objects.exists()


def test_event_commits_with_the_change(commune):
    with transaction.atomic():
        commune.name = "Xã Tân Lập mới"
        commune.save()
        event = audit.record(action="unit.rename", obj=commune)
    assert AuditEvent.objects.get().pk == event.pk
    assert event.object_type == "core.unit" and event.object_id == str(commune.pk)


def test_altered_row_is_named(chain):
    tamper("UPDATE core_auditevent SET action = %s WHERE id = %s", ["dossier.refuse", chain[2].id])

    result = audit.verify_chain()

    assert not result.ok
    assert result.problems == [
        f"Sự kiện #{chain[2].id}: nội dung đã bị sửa (hash không khớp) / "
        f"event #{chain[2].id}: content altered (hash mismatch)"
    ]


def test_altered_row_with_recomputed_hash_breaks_the_next_link(chain):
    """A forger who also rewrites the row's own hash still breaks the link to the next row."""
    forged = AuditEvent.objects.get(pk=chain[2].id)
    forged.action = "dossier.refuse"
    new_hash = audit.event_digest(forged, forged.prev_hash)
    tamper(
        "UPDATE core_auditevent SET action = %s, hash = %s WHERE id = %s",
        ["dossier.refuse", new_hash, chain[2].id],
    )

    result = audit.verify_chain()

    assert not result.ok
    assert len(result.problems) == 1
    assert f"#{chain[3].id}" in result.problems[0]


def test_deleted_row_is_found_next_to_where_it_was(chain):
    tamper("DELETE FROM core_auditevent WHERE id = %s", [chain[2].id])

    result = audit.verify_chain()

    assert not result.ok
    assert result.checked == 4
    assert result.problems == [
        f"Sự kiện #{chain[3].id}: sự kiện liền trước đã bị xoá (giữa #{chain[1].id} và "
        f"#{chain[3].id}) / event #{chain[3].id}: the event before it was deleted "
        f"(between #{chain[1].id} and #{chain[3].id})"
    ]


def test_deleted_first_row_is_found(chain):
    tamper("DELETE FROM core_auditevent WHERE id = %s", [chain[0].id])

    result = audit.verify_chain()

    assert not result.ok
    assert f"#{chain[1].id}" in result.problems[0]
    assert "đã bị xoá" in result.problems[0]


def test_swapped_rows_are_reported_as_reordered(chain):
    first, second = (AuditEvent.objects.filter(pk=e.id).values().get() for e in chain[1:4:2])
    columns = [k for k in first if k != "id"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
    # Move each row's whole content, hashes included, into the other's place.
    AuditEvent.objects.filter(pk=second["id"]).update(hash="swap-tmp")
    AuditEvent.objects.filter(pk=first["id"]).update(**{c: second[c] for c in columns})
    AuditEvent.objects.filter(pk=second["id"]).update(**{c: first[c] for c in columns})

    result = audit.verify_chain()

    assert not result.ok
    assert all("sai thứ tự" in p and "reordered" in p for p in result.problems)
    named = " ".join(result.problems)
    assert f"Sự kiện #{chain[1].id}" in named and f"Sự kiện #{chain[3].id}" in named


def test_cut_off_tail_is_found_with_an_anchor_written_down_earlier(chain):
    anchor = (chain[-1].id, chain[-1].hash)
    tamper("DELETE FROM core_auditevent WHERE id = %s", [chain[-1].id])

    assert audit.verify_chain().ok  # a chain alone cannot see its missing end
    result = audit.verify_chain(anchor=anchor)
    assert not result.ok
    assert f"Mốc #{chain[-1].id}" in result.problems[0]


def test_small_batches_check_the_whole_chain(chain):
    tamper("UPDATE core_auditevent SET object_id = %s WHERE id = %s", ["x", chain[4].id])
    result = audit.verify_chain(batch_size=2)
    assert result.checked == 5
    assert f"#{chain[4].id}" in result.problems[0]


def test_command_reports_an_intact_log_and_its_head(chain, capsys):
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "Nhật ký nguyên vẹn: đã kiểm tra 5 sự kiện" in out
    assert f"#{chain[-1].id}:{chain[-1].hash}" in out


def test_command_exits_1_and_names_the_altered_event(chain, capsys):
    tamper("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["ai đó", chain[1].id])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "BỊ THAY ĐỔI" in err and f"Sự kiện #{chain[1].id}" in err


def test_command_checks_an_anchor(chain, capsys):
    call_command("audit_verify", f"--anchor={chain[2].id}:{chain[2].hash}")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", f"--anchor={chain[2].id}:{'f' * 64}")
    assert exit_info.value.code == 1
    assert f"Mốc #{chain[2].id}" in capsys.readouterr().err


# --- one chain per unit -----------------------------------------------------------------------


@pytest.fixture
def other_commune():
    return Unit.objects.create(code="25213", name="Xã Đồng Tâm", kind=Unit.Kind.COMMUNE)


def _write(unit, n):
    return audit.record(
        action="ticket.call", object_type="queueing.ticket", object_id=n, unit=unit, actor=None
    )


def test_each_unit_appends_to_its_own_chain(commune, other_commune):
    events = [_write(unit, n) for n, unit in enumerate([commune, other_commune, None] * 3)]
    by_chain: dict[int, list] = {}
    for e in events:
        by_chain.setdefault(e.chain, []).append(e)

    assert set(by_chain) == {commune.pk, other_commune.pk, audit.NO_UNIT_CHAIN}
    for chain in by_chain.values():
        assert chain[0].prev_hash == audit.GENESIS
        assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
    result = audit.verify_chain()
    assert result.ok, result.problems
    assert result.heads == {c: (es[-1].id, es[-1].hash) for c, es in by_chain.items()}


def test_a_deletion_in_one_communes_chain_is_named_and_the_others_stay_intact(
    commune, other_commune
):
    ours = [_write(commune, n) for n in range(3)]
    theirs = [_write(other_commune, n) for n in range(3)]
    tamper("DELETE FROM core_auditevent WHERE id = %s", [ours[1].id])

    result = audit.verify_chain()

    assert not result.ok
    assert result.problems == [
        f"Sự kiện #{ours[2].id}: sự kiện liền trước đã bị xoá (giữa #{ours[0].id} và "
        f"#{ours[2].id}) / event #{ours[2].id}: the event before it was deleted "
        f"(between #{ours[0].id} and #{ours[2].id})"
    ]
    assert all(f"#{e.id}" not in result.problems[0] for e in theirs)


def test_events_written_before_the_split_still_verify_and_units_start_fresh(commune):
    """Rows from before the per-unit chains keep chain 0 and their single global linkage."""
    prev = audit.GENESIS
    for n in range(3):
        legacy = AuditEvent(
            created_at=dt.datetime(2026, 11, 1, 8, n, tzinfo=dt.UTC),
            unit=commune,
            action="dossier.receive",
            object_type="dossiers.dossier",
            object_id=str(n),
            changes={},
            prev_hash=prev,
        )
        legacy.hash = prev = audit.event_digest(legacy, prev)
        legacy.save(force_insert=True)

    fresh = _write(commune, 9)

    assert fresh.chain == commune.pk and fresh.prev_hash == audit.GENESIS
    result = audit.verify_chain()
    assert result.ok, result.problems
    assert result.heads[audit.NO_UNIT_CHAIN] == (legacy.id, legacy.hash)


def test_cut_off_tail_of_one_chain_is_found_with_the_heads_written_down(
    commune, other_commune, capsys
):
    _write(commune, 1)
    ours = _write(commune, 2)
    _write(other_commune, 1)  # the log's newest event is another commune's
    call_command("audit_verify", "--heads")
    written_down = [
        line.split(": ", 1)[1]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("chain ")
    ]
    assert f"{ours.id}:{ours.hash}" in written_down
    tamper("DELETE FROM core_auditevent WHERE id = %s", [ours.id])

    assert audit.verify_chain().ok  # each chain alone still links
    with pytest.raises(SystemExit):
        call_command("audit_verify", *[f"--anchor={a}" for a in written_down])
    assert f"Mốc #{ours.id}" in capsys.readouterr().err
