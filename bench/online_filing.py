"""Online filing: the server time of one e-form step and of the submission (issue 12).

N mothers of the synthetic population of Xã Vĩnh Bảo sign in (the citizen account as the
identity service makes it) and each has a birth-registration draft prefilled from VNeID and the
registry, walked to the end through `filing.services` (case chosen, birth certificate attached
as a one-page PDF, result online). Then, per citizen, through `django.test.Client` logged in as
her, with the server time measured around the request:

- **e-form step**: `POST /nop-truc-tuyen/<draft>/to-khai/nguoi_duoc_khai_sinh/` with the
  child's name, date, sex and place of birth and the step's prefilled fields (the step she
  types): the StepForm, `services.save_step` (row lock, validation, merge, save, audit), the
  redirect to the next step. Baseline, raw SQL on another citizen's draft: SELECT ... FOR
  UPDATE of the draft, UPDATE of its answers, steps done, step and times, the audit row
  (advisory lock, last hash, INSERT).
- **submission**: `POST /nop-truc-tuyen/<draft>/nop/`: `filing.services.submit` ->
  `dossiers.services.submit_online` (the declaration printed as PDF, her papers copied into the
  dossier's storage, the dossier with its daily code, components, the OnlineFiling facts, the
  first event and the audit rows, the draft closed). Baseline, raw SQL on another draft: SELECT
  ... FOR UPDATE of the draft, INSERT of the dossier row, its components, the OnlineFiling row
  and the event, UPDATE of the dossier's current event and of the draft, the audit row; rows
  copied from the dossier the ORM side just wrote, so both write the same rows. What the raw
  side does not do (the declaration PDF, the file copies, the locked code counter) is the
  difference the ratio shows; the declaration's PDF is timed alone as well (`pdf p50`).

Requests alternate with their baseline one by one, so background load hits both alike.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bench.common import (
    Benchmark,
    machine_line,
    make_row,
    markdown_table,
    register,
    summarize,
    timed_ms,
    worker_main,
)

STEP = "nguoi_duoc_khai_sinh"
WARMUP = 3


def _world(count: int) -> dict:
    """The filing world of the tests (two demo communes, their population, birth registration
    with its shipped declaration) and 2 * count + WARMUP drafts ready to submit."""
    from django.core.files.base import ContentFile  # noqa: F401 (Django is set up by now)
    from django.utils import timezone
    from weasyprint import HTML

    from motcua.citizens import services as citizens
    from motcua.citizens.claims import Claims
    from motcua.documents.uploads import Upload
    from motcua.eforms import engine
    from motcua.filing import services as filing
    from motcua.filing.models import Draft
    from motcua.registry.models import Resident
    from tests.filing.factories import child_answers, make_filing_world

    fw = make_filing_world()
    paper = HTML(string="<h1>GIẤY CHỨNG SINH</h1><p>Trẻ sơ sinh</p>").write_pdf()
    wanted = 2 * count + 2 * WARMUP
    drafts = []
    mothers = Resident.objects.filter(unit=fw.commune, sex="female", relation__in=["Vợ", "Chủ hộ"])
    for person in mothers.order_by("id").iterator():
        user = citizens.sign_in(
            issuer="https://id.example",
            claims=Claims(
                subject=f"sub-{person.citizen_id}",
                citizen_id=person.citizen_id,
                full_name=person.full_name,
                date_of_birth=person.date_of_birth,
                sex="female",
                address=person.permanent_residence,
                identity_level=2,
            ),
        )
        draft = filing.start(citizen=user, procedure=fw.birth, unit=fw.commune)
        typed = child_answers()
        failed = False
        for key in engine.visible_steps(draft.schema.definition, filing.answers_of(draft)):
            values = {**filing.answers_of(draft), **typed}
            draft, errors = filing.save_step(
                draft_id=draft.pk, citizen=user, step=key, values=values
            )
            if errors:  # a household the declaration cannot fill (no spouse): next mother
                failed = True
                break
        if failed:
            continue
        filing.choose_case(draft_id=draft.pk, citizen=user, case="Đúng hạn", conditions=[])
        needed = [c for c in filing.papers_for(draft) if c.name == "Giấy chứng sinh"]
        filing.attach_paper(
            draft_id=draft.pk,
            citizen=user,
            component_id=needed[0].pk,
            files=[Upload("giay-chung-sinh.pdf", paper)],
        )
        filing.choose_delivery(draft_id=draft.pk, citizen=user, delivery="online")
        if filing.problems(Draft.objects.get(pk=draft.pk)):
            continue
        drafts.append((user, draft.pk))
        if len(drafts) == wanted:
            break
    if len(drafts) < wanted:
        raise SystemExit(f"only {len(drafts)} complete drafts, need {wanted}")
    return {"drafts": drafts, "typed": child_answers(), "now": timezone.now()}


def _step_post(user, draft_id: int, typed: dict) -> dict:
    """What her phone posts for the step: its fields as the page shows them, her typing on top."""
    from motcua.filing import services as filing
    from motcua.filing.models import Draft

    draft = Draft.objects.get(pk=draft_id)
    names = [
        f["name"] for s in draft.schema.definition["steps"] if s["key"] == STEP for f in s["fields"]
    ]
    shown = filing.answers_of(draft)
    return {n: typed.get(n, shown.get(n)) for n in names if typed.get(n, shown.get(n)) is not None}


def _orm_step(client, user, draft_id: int, data: dict) -> None:
    client.force_login(user)
    response = client.post(f"/nop-truc-tuyen/{draft_id}/to-khai/{STEP}/", data)
    if response.status_code != 302:
        raise RuntimeError(f"e-form step answered {response.status_code}")


def _raw_step(user_id: int, draft_id: int, typed: dict) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.ticket_issuance import raw_audit
    from motcua.core.audit import GENESIS

    now = timezone.now()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "SELECT answers, steps_done, receiving_unit_id FROM filing_draft "
            f"WHERE id = %s AND citizen_id = %s AND status = 'open'{lock}",
            [draft_id, user_id],
        )
        answers, done, unit = c.fetchone()
        answers = json.loads(answers) if isinstance(answers, str) else answers
        done = json.loads(done) if isinstance(done, str) else done
        answers.update(typed)
        if STEP not in done:
            done.append(STEP)
        at = connection.ops.adapt_datetimefield_value(now)
        expires = connection.ops.adapt_datetimefield_value(now + dt.timedelta(days=30))
        c.execute(
            "UPDATE filing_draft SET answers = %s, steps_done = %s, step = %s, updated_at = %s, "
            "expires_at = %s WHERE id = %s",
            [json.dumps(answers), json.dumps(done), "me", at, expires, draft_id],
        )
        raw_audit(c, "filing.save_step", "filing.draft", draft_id, unit, {"step": STEP}, GENESIS)


def _orm_submit(client, user, draft_id: int) -> None:
    client.force_login(user)
    response = client.post(f"/nop-truc-tuyen/{draft_id}/nop/")
    if response.status_code != 302 or not response["Location"].endswith("/da-nop/"):
        raise RuntimeError(f"submission answered {response.status_code}")


def _copy_rows(c, table: str, where: str, param, replace: dict) -> list[int]:
    """INSERT copies of the rows of `table` matching `where`, with `replace` applied and a new
    id; returns the new ids (the copied values were read before the clock started)."""
    c.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY 1", [param])
    columns = [d[0] for d in c.description]
    rows = c.fetchall()
    ids = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        has_id = values.pop("id", None) is not None
        values.update(replace)
        cols = list(values)
        c.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
            + (" RETURNING id" if has_id else ""),
            [json.dumps(v) if isinstance(v, dict | list) else v for v in values.values()],
        )
        if has_id:
            ids.append(c.fetchone()[0])
    return ids


def _raw_submit(user_id: int, draft_id: int, template_id: int, n: int) -> None:
    """The writes of one submission by hand, rows copied from the dossier `template_id`."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.ticket_issuance import raw_audit
    from motcua.core.audit import GENESIS

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "SELECT receiving_unit_id, idempotency_key FROM filing_draft "
            f"WHERE id = %s AND citizen_id = %s AND status = 'open'{lock}",
            [draft_id, user_id],
        )
        unit, key = c.fetchone()
        (dossier_id,) = _copy_rows(
            c,
            "dossiers_dossier",
            "id = %s",
            template_id,
            {"code": f"RAW-{n:06d}", "idempotency_key": key, "current_event_id": None,
             "submitted_at": now, "updated": now},
        )  # fmt: skip
        _copy_rows(c, "dossiers_dossiercomponent", "dossier_id = %s", template_id,
                   {"dossier_id": dossier_id})  # fmt: skip
        _copy_rows(c, "dossiers_onlinefiling", "dossier_id = %s", template_id,
                   {"dossier_id": dossier_id})  # fmt: skip
        (event_id,) = _copy_rows(c, "dossiers_dossierevent", "dossier_id = %s", template_id,
                                 {"dossier_id": dossier_id, "at": now})  # fmt: skip
        c.execute(
            "UPDATE dossiers_dossier SET current_event_id = %s WHERE id = %s",
            [event_id, dossier_id],
        )
        c.execute(
            "UPDATE filing_draft SET status = 'submitted', dossier_id = %s, updated_at = %s "
            "WHERE id = %s",
            [dossier_id, now, draft_id],
        )
        raw_audit(c, "dossier.submit_online", "dossiers.dossier", dossier_id, unit,
                  {"status": [None, 1], "code": f"RAW-{n:06d}"}, GENESIS)  # fmt: skip


def measure(params: dict) -> list[dict]:
    from django.test import Client

    from bench.common import database_label
    from motcua.dossiers.models import Dossier
    from motcua.eforms import pdf
    from motcua.filing import services as filing
    from motcua.filing.models import Draft

    count = int(params["citizens"])
    world = _world(count)
    drafts, typed = world["drafts"], world["typed"]
    orm, raw = drafts[0::2], drafts[1::2]
    client = Client()
    step_ms, raw_step_ms, submit_ms, raw_submit_ms, pdf_ms = [], [], [], [], []
    for i, ((user, draft_id), (raw_user, raw_draft)) in enumerate(zip(orm, raw, strict=True)):
        data = _step_post(user, draft_id, typed)
        typed_raw = {k: v for k, v in data.items() if k in typed}
        ms = timed_ms(lambda u=user, d=draft_id, p=data: _orm_step(client, u, d, p))
        raw_ms = timed_ms(lambda u=raw_user, d=raw_draft, t=typed_raw: _raw_step(u.pk, d, t))
        if i >= WARMUP:
            step_ms.append(ms)
            raw_step_ms.append(raw_ms)
    dossiers = 0
    for i, ((user, draft_id), (raw_user, raw_draft)) in enumerate(zip(orm, raw, strict=True)):
        draft = Draft.objects.select_related("schema", "receiving_unit").get(pk=draft_id)
        answers = filing.answers_of(draft)
        printed = timed_ms(lambda d=draft, a=answers: pdf.render(d.schema, a, place="Vĩnh Bảo"))
        ms = timed_ms(lambda u=user, d=draft_id: _orm_submit(client, u, d))
        template = Draft.objects.get(pk=draft_id).dossier_id
        raw_ms = timed_ms(
            lambda u=raw_user, d=raw_draft, t=template, n=i: _raw_submit(u.pk, d, t, n)
        )
        if i >= WARMUP:
            submit_ms.append(ms)
            raw_submit_ms.append(raw_ms)
            pdf_ms.append(printed)
        dossiers += 1
    written = Dossier.objects.filter(channel="online").count()
    if written != 2 * dossiers:
        raise RuntimeError(f"{written} online dossiers written, expected {2 * dossiers}")
    extra = {"citizens": count, "dossiers": written}
    return [
        make_row(
            benchmark=BENCHMARK.name,
            database=database_label(),
            target=f"POST e-form step {STEP}",
            samples_ms=step_ms,
            raw_samples_ms=raw_step_ms,
            goal_ms=None,
            extra=extra,
        ),
        make_row(
            benchmark=BENCHMARK.name,
            database=database_label(),
            target="POST submission",
            samples_ms=submit_ms,
            raw_samples_ms=raw_submit_ms,
            goal_ms=None,
            extra={
                **extra,
                "pdf_p50": summarize(pdf_ms)["p50"],
                "pdf_p95": summarize(pdf_ms)["p95"],
            },
        ),
    ]


def describe(rows: list[dict], info: dict) -> str:
    lines = [machine_line(info), "", markdown_table(rows), ""]
    lines.extend(
        f"- {r['database']}: {r['dossiers']:,} online dossiers written by both sides; "
        f"printing the declaration alone (`eforms.pdf.render`): p50 {r['pdf_p50']:.1f} "
        f"ms, p95 {r['pdf_p95']:.1f} ms of each submission."
        for r in rows
        if r.get("pdf_p50") is not None
    )
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="online_filing",
        title="Online filing: e-form step and submission",
        script=Path(__file__).resolve(),
        goal_ms=None,
        defaults={"citizens": 50},  # Vĩnh Bảo at 2 % has ~110 mothers the declaration fills
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
