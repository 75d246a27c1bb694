"""Dossier transition throughput: how many state changes per second the one transition path takes.

Goal: > 200 transitions/s on 2 cores. Two worker processes (forked after Django is set up, one
connection each) run submit_for_approval / send_back cycles through `dossiers.services` on
their own dossiers (a specialist submits, the commune's leader sends back with a reason): the
only pair the state machine allows to repeat without new papers. Each call locks the row,
checks the role and the move, writes the DossierEvent, saves the dossier and appends the
hash-chained audit row in one transaction, and moves the process steps (the specialist's step
closes and the leader's approval step opens on submission; both undo on send-back). The
baseline does the same by hand in one transaction: SELECT ... FOR UPDATE, read the steps,
UPDATE the processing step, UPDATE the approval step, INSERT event, UPDATE status and
current_event, audit row (advisory lock, last hash, INSERT), on other dossiers of the same
database, same concurrency, rounds alternating with the ORM ones.

Two rows: all workers in one commune (the contended case: one audit chain and one leader, so
appends are serialised until commit) and each worker in its own commune (what a province sees:
the audit chain is per unit, decisions/0014).
"""

from __future__ import annotations

from pathlib import Path

from bench.common import Benchmark, register, worker_main
from bench.ticket_issuance import alternate_rounds, describe_throughput, raw_audit, throughput_row

GOAL_PER_S = 200


def _seed(count: int, workers: int) -> dict:
    """A province and one commune per worker, `count` dossiers spread over them."""
    from django.utils import timezone

    from bench.dossier_worklists import seed_dossiers, seed_people

    people = seed_people(workers + 1)
    seed_dossiers(count, people, now=timezone.now().replace(microsecond=0))
    return people


def _plan(people: dict, workers: int, per_set: int, *, spread: bool) -> dict:
    """Dossiers in processing for each worker: all in one commune (the contended case: one
    audit chain, one leader) or, with `spread`, worker k acting in commune k (a province).
    Every set is disjoint within a plan; a later plan may reuse dossiers, because each run of
    submit/send-back cycles leaves them in processing again."""
    from motcua.dossiers.models import Dossier, DossierStep

    taken: set[int] = set()
    communes = people["unit_ids"][1:] if spread else people["unit_ids"][1:2] * workers
    plan: dict = {"orm": [], "raw": [], "specialist": [], "leader": []}
    for unit in communes:
        specialist = people["specialists"][unit][0]
        ids = [
            i
            for i in Dossier.objects.filter(competent_unit_id=unit, status=4)
            .order_by("id")
            .values_list("id", flat=True)
            if i not in taken
        ]
        if len(ids) < 2 * per_set:
            raise SystemExit(f"only {len(ids)} dossiers in processing, need {2 * per_set}")
        plan["orm"].append(ids[:per_set])
        plan["raw"].append(ids[per_set : 2 * per_set])
        taken.update(ids[: 2 * per_set])
        plan["specialist"].append(specialist)
        # the worker's specialist holds the step of every dossier it submits (the role table
        # lets a specialist submit only what they hold, decisions/0016)
        DossierStep.objects.filter(dossier_id__in=ids[: 2 * per_set]).update(assignee_id=specialist)
        plan["leader"].append(people["leaders"][unit])
    return plan


def _orm_op(prep: dict):
    cache: dict = {}

    def op(worker: int, i: int) -> None:
        from motcua.accounts.models import User
        from motcua.dossiers import services

        if worker not in cache:
            cache[worker] = (
                User.objects.get(pk=prep["specialist"][worker]),
                User.objects.get(pk=prep["leader"][worker]),
            )
        specialist, leader = cache[worker]
        mine = prep["orm"][worker]
        dossier_id = mine[(i // 2) % len(mine)]
        if i % 2 == 0:
            services.submit_for_approval(specialist, dossier_id=dossier_id, note="Trình ký")
        else:
            services.send_back(leader, dossier_id=dossier_id, reason="Bổ sung căn cứ pháp lý")

    return op


def _raw_op(prep: dict):
    def op(worker: int, i: int) -> None:
        from django.db import connection, transaction
        from django.utils import timezone

        from motcua.core.audit import GENESIS

        mine = prep["raw"][worker]
        dossier_id = mine[(i // 2) % len(mine)]
        submit = i % 2 == 0
        action, frm, to = ("submit_for_approval", 4, 41) if submit else ("send_back", 41, 4)
        actor = prep["specialist"][worker] if submit else prep["leader"][worker]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                "SELECT status, version, competent_unit_id FROM dossiers_dossier "
                f"WHERE id = %s{lock}",
                [dossier_id],
            )
            status, version, unit = c.fetchone()
            if status != frm:
                raise RuntimeError(f"dossier {dossier_id} is {status}, expected {frm}")
            # the step the specialist holds closes with the submission, opens again when sent
            # back (the services do the same, decisions/0016)
            c.execute(
                "SELECT id, assignee_id FROM dossiers_dossierstep WHERE dossier_id = %s "
                "AND stage = 'processing' ORDER BY \"order\"",
                [dossier_id],
            )
            step_id = c.fetchall()[-1][0]
            c.execute(
                "UPDATE dossiers_dossierstep SET finished_at = %s, result = %s WHERE id = %s",
                [now if submit else None, "early" if submit else "", step_id],
            )
            # the leader's approval step opens with the submission and waits again when the
            # draft is sent back
            c.execute(
                "UPDATE dossiers_dossierstep SET started_at = %s WHERE dossier_id = %s "
                "AND stage = 'approval' AND finished_at IS NULL",
                [now if submit else None, dossier_id],
            )
            c.execute(
                "INSERT INTO dossiers_dossierevent (dossier_id, from_status, to_status, action, "
                "actor_id, at, note, data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                [dossier_id, frm, to, action, actor, now, "Trình ký", "{}"],
            )
            event_id = c.fetchone()[0]
            c.execute(
                "UPDATE dossiers_dossier SET status = %s, version = %s, last_activity_at = %s, "
                "updated = %s, current_event_id = %s WHERE id = %s",
                [to, version + 1, now, now, event_id, dossier_id],
            )
            changes = {"status": [frm, to], "version": [version, version + 1]}
            raw_audit(
                c, f"dossier.{action}", "dossiers.dossier", dossier_id, unit, changes, GENESIS
            )

    return op


def measure(params: dict) -> list[dict]:
    from django.db import connection

    from motcua.dossiers.models import DossierEvent

    workers, per_worker, rounds = (int(params[k]) for k in ("workers", "per_worker", "rounds"))
    per_set = int(params["dossiers_per_worker"])
    if per_worker % 2:
        raise SystemExit("per_worker must be even (submit + send back cycles)")
    people = _seed(int(params["dossiers"]), workers)
    rows = []
    for spread, target in (
        (False, "submit_for_approval/send_back, one commune"),
        (True, f"submit_for_approval/send_back, {workers} communes"),
    ):
        prep = _plan(people, workers, per_set, spread=spread)
        for w in range(workers):  # warm-up in the parent: one cycle leaves the state as it was
            for i in range(2):
                _orm_op(prep)(w, i)
                _raw_op(prep)(w, i)
        totals = alternate_rounds(
            _orm_op(prep),
            _raw_op(prep),
            workers=workers,
            per_worker=per_worker,
            rounds=rounds,
            label=f"dossier_transitions {connection.vendor} {'spread' if spread else 'one'}",
        )
        events = DossierEvent.objects.filter(
            action__in=["submit_for_approval", "send_back"]
        ).count()
        rows.append(
            throughput_row(
                benchmark=BENCHMARK.name,
                target=target,
                totals=totals,
                workers=workers,
                goal_per_s=GOAL_PER_S,
                extra={"dossiers": int(params["dossiers"]), "events": events},
            )
        )
    return rows


def describe(rows: list[dict], info: dict) -> str:
    lines = [describe_throughput(rows, info, "transitions"), ""]
    lines.extend(
        f"- {r['database']}: {r['dossiers']:,} dossiers seeded; {r['events']:,} events "
        "written by both sides (one per transition)."
        for r in rows
    )
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="dossier_transitions",
        title="Dossier transition throughput",
        script=Path(__file__).resolve(),
        goal_ms=None,
        defaults={
            "dossiers": 20_000,
            "workers": 2,
            "per_worker": 400,
            "rounds": 2,
            "dossiers_per_worker": 25,
        },
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
