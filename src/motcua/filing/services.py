"""The citizen's online filing: start a draft, save it step by step, attach or reuse papers,
choose the case and how to get the result, submit it as an online dossier (decisions/0030).

Every function is keyword-only, runs in one transaction and appends one audit event (no
citizen ID or name in it). A draft belongs to one citizen: every function takes `citizen` and
refuses (`Draft.DoesNotExist`, a 404 in the views) a draft of anyone else. A staff member
passed as `citizen` acts only on the draft of an assist session of theirs (`assisted.draft_for`,
PermissionDenied otherwise; decisions/0032); the audit names them as the actor.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua import registry
from motcua.catalog import cases, papers
from motcua.catalog.models import Component, Procedure
from motcua.citizens import selectors as citizen_selectors
from motcua.citizens import services as citizens
from motcua.core import audit, identifiers
from motcua.core.models import Department, Unit
from motcua.documents.uploads import Upload, paper_pdf
from motcua.dossiers import services as dossiers
from motcua.dossiers.models import (
    Delivery,
    Dossier,
    DossierComponent,
    DossierDocument,
    IdentityVia,
    NotifyBy,
)
from motcua.eforms import engine, pdf, selectors
from motcua.integrations import selectors as push_selectors
from motcua.integrations import services as push_services
from motcua.postal import services as postal_services
from motcua.registry.interface import Person, RegistryUnavailable

from .models import Draft, DraftPaper

ONLINE_MODES = ("full", "partial")
DELIVERIES = (Delivery.ONLINE, Delivery.COUNTER, Delivery.POST)


class DraftClosed(Exception):
    """The draft expired or was already submitted: nothing more can be saved in it."""

    def __init__(self, draft: Draft) -> None:
        super().__init__(draft.status)
        self.draft = draft


# --- what the flow needs to know ---------------------------------------------------------------


def files_online(procedure: Procedure) -> bool:
    """Published for online filing (toàn trình or một phần) with a published declaration."""
    return (
        procedure.is_published
        and procedure.online_mode in ONLINE_MODES
        and selectors.current_for(procedure) is not None
    )


def units_for(procedure: Procedure) -> list[Unit]:
    """Where a dossier of `procedure` can be filed: its own commune, or the active communes and
    wards under the province that publishes it which run a one-stop office in motcua (they
    have departments: the dossier's steps go to them)."""
    unit = procedure.unit
    if unit.kind != Unit.Kind.PROVINCE:
        return [unit]
    return list(
        Unit.objects.filter(
            parent=unit,
            is_active=True,
            kind__in=[Unit.Kind.COMMUNE, Unit.Kind.WARD, Unit.Kind.SPECIAL_ZONE],
        )
        .filter(pk__in=Department.objects.values("unit_id"))
        .order_by("name", "code")
    )


def is_declaration(component: Component) -> bool:
    return "tờ khai" in component.name.lower()


def papers_for(draft: Draft) -> list[Component]:
    """The papers the citizen provides for this case: not the declaration (the form is it), not
    what the state already holds."""
    return [
        c
        for c in cases.required(
            draft.procedure.components.order_by("order", "id"),
            case=draft.case,
            conditions=draft.conditions,
        )
        if not c.from_state_data and not is_declaration(c)
    ]


def case_choices(procedure: Procedure, *, day: dt.date) -> tuple[cases.FeeChoice, list[str]]:
    """The fee cases (alternatives, online channel) and the conditions to ask about."""
    choice = cases.fee_choice(procedure.fees.all(), online=True, day=day)
    conditions = cases.conditions_of(procedure.components.all(), fee_cases=choice.cases)
    return choice, conditions


def fees_owed(draft: Draft, *, day: dt.date) -> tuple[list[dict], int, bool]:
    """(rows, total, some amount unknown) for the draft's case, filed online on `day`."""
    try:
        rows = dossiers.fees_in_force(draft.procedure, online=True, day=day, case=draft.case)
    except ValidationError:
        return [], 0, False
    unknown = any(r.get("amount_vnd") is None for r in rows)
    return rows, sum(r.get("amount_vnd") or 0 for r in rows), unknown


def reusable(draft: Draft, component: Component) -> QuerySet[DossierComponent]:
    """The citizen's earlier papers with this paper's name: components of dossiers they filed
    (their citizen ID is the applicant's) that were kept as files. Results issued to them that
    this paper asks for: `reusable_results`."""
    identity = citizens.identity_of(draft.citizen)
    if identity is None:
        return DossierComponent.objects.none()
    return (
        DossierComponent.objects.filter(
            dossier__applicant_id_number=identity.citizen_id, name=component.name
        )
        .exclude(file="")
        .select_related("dossier")
        .order_by("-dossier__submitted_at", "-id")
    )


def reusable_results(
    draft: Draft, component: Component, *, now: dt.datetime | None = None
) -> list[DossierDocument]:
    """The signed results issued to the citizen (`citizens.selectors.my_results`: dossiers
    of theirs, ready or returned) that this paper asks for, by the catalog's one rule
    (`catalog.papers`: the component's name contains the paper the earlier procedure's result
    is) and still valid (a `ResultValidity` that has run out is not offered), newest first."""
    now = now or timezone.now()
    return [
        document
        for document in citizen_selectors.my_results(draft.citizen)[:50]
        if papers.needs(component.name, citizen_selectors.papers_of_result(document))
        and citizen_selectors.result_still_valid(document, now)
    ]


def open_drafts(citizen) -> QuerySet[Draft]:
    return Draft.objects.filter(
        citizen=citizen, status=Draft.Status.OPEN, expires_at__gt=timezone.now()
    ).select_related("procedure", "receiving_unit")


def is_expired(draft: Draft, now: dt.datetime | None = None) -> bool:
    return draft.status == Draft.Status.OPEN and draft.expires_at <= (now or timezone.now())


# --- sources for the declaration ---------------------------------------------------------------


def _sex(value: str) -> str:
    return {"female": "Nữ", "male": "Nam"}.get(value, "")


def sources_for(identity, person: Person | None, spouse: Person | None) -> dict[str, Any]:
    """The `sources` dict of decisions/0028 from the VNeID claims and the registry's answer."""
    out: dict[str, Any] = {
        "identity": {
            "full_name": identity.full_name,
            "citizen_id": identity.citizen_id,
            "birthdate": identity.date_of_birth.isoformat() if identity.date_of_birth else "",
            "sex": _sex(identity.sex),
            "address": identity.address,
        },
        "previous": {},
        "document": {},
    }
    if person is None:
        return out
    out["registry"] = {
        "person": {
            "ethnicity": person.ethnicity,
            "nationality": "Việt Nam",
            "hometown": person.hometown,
            "marital_status": "Đang có vợ/chồng" if person.spouse else "",
            "mother_name": person.mother.full_name if person.mother else "",
            "father_name": person.father.full_name if person.father else "",
        },
        "household": {
            "head_name": person.head.full_name if person.head else "",
            "address": person.permanent_residence,
        },
    }
    if spouse is not None:
        out["registry"]["spouse"] = {
            "full_name": spouse.full_name,
            "citizen_id": spouse.citizen_id,
            "birthdate": spouse.date_of_birth.isoformat(),
            "sex": spouse.sex_label,
            "ethnicity": spouse.ethnicity,
            "nationality": "Việt Nam",
            "hometown": spouse.hometown,
            "address": spouse.permanent_residence,
        }
    return out


def _registry_sources(citizen, identity, unit) -> tuple[dict[str, Any], Person | None, bool]:
    """(sources, person, registry down): a down registry leaves only the VNeID claims."""
    try:
        person = registry.lookup(
            identity.citizen_id, actor=citizen, purpose="eform_prefill", unit=unit
        )
        spouse = None
        if person is not None and person.spouse and person.spouse.citizen_id:
            spouse = registry.lookup(
                person.spouse.citizen_id, actor=citizen, purpose="eform_prefill", unit=unit
            )
    except (RegistryUnavailable, ValidationError):
        return sources_for(identity, None, None), None, True
    return sources_for(identity, person, spouse), person, False


# --- services ------------------------------------------------------------------------------------


def _identity(citizen):
    identity = citizens.identity_of(citizen)
    if identity is None:
        raise ValidationError(_("Tài khoản này không phải tài khoản công dân đã định danh."))
    return identity


def _expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=settings.MOTCUA_DRAFT_DAYS)


def _acting(draft_id: int, actor, now: dt.datetime):
    """(the locked draft, the assist session or None): a citizen reaches only their own drafts
    (`Draft.DoesNotExist`); a staff member only the draft of a session in which they help
    (`assisted.draft_for`, PermissionDenied otherwise; decisions/0032)."""
    if getattr(actor, "is_staff_member", False):
        from . import assisted

        session = assisted.draft_for(actor, draft_id, now)
        return Draft.objects.select_for_update().get(pk=draft_id), session
    return Draft.objects.select_for_update().get(pk=draft_id, citizen=actor), None


def _locked(draft_id: int, citizen, now: dt.datetime) -> Draft:
    draft, _session = _acting(draft_id, citizen, now)
    if draft.status != Draft.Status.OPEN or is_expired(draft, now):
        raise DraftClosed(draft)
    return draft


def _audit(action: str, draft: Draft, citizen, **changes: Any) -> None:
    audit.record(
        action=f"filing.{action}",
        obj=draft,
        actor=citizen,
        unit=draft.receiving_unit_id,
        changes=changes,
    )


def start(
    *,
    citizen,
    procedure: Procedure,
    unit: Unit | None = None,
    now: dt.datetime | None = None,
) -> Draft:
    """A new draft of `procedure`, prefilled from VNeID and the population registry; an open
    draft of the same procedure is resumed instead. The receiving unit is `unit` if the
    citizen chose one among `units_for(procedure)`, else the commune of their permanent
    residence in the registry, else the only unit offering it."""
    now = now or timezone.now()
    identity = _identity(citizen)
    if not files_online(procedure):
        raise ValidationError(_("Thủ tục này chưa được nộp trực tuyến."))
    existing = open_drafts(citizen).filter(procedure=procedure).first()
    if existing is not None:
        return existing
    offering = units_for(procedure)
    sources, person, down = _registry_sources(citizen, identity, unit or procedure.unit)
    if unit is not None:
        if unit.pk not in {u.pk for u in offering}:
            raise ValidationError({"unit": _("Đơn vị này không tiếp nhận thủ tục.")})
    else:
        home = [u for u in offering if person is not None and u.code == person.unit_code]
        if home:
            unit = home[0]
        elif len(offering) == 1:
            unit = offering[0]
        else:
            raise ValidationError({"unit": _("Vui lòng chọn nơi nộp hồ sơ.")})
    schema = selectors.current_for(procedure)
    if schema is None:
        raise ValidationError(_("Thủ tục này chưa có tờ khai điện tử."))
    prefilled = engine.prefill(schema.definition, sources)
    steps = engine.visible_steps(schema.definition, prefilled)
    with transaction.atomic():
        draft = Draft.objects.create(
            citizen=citizen,
            procedure=procedure,
            receiving_unit=unit,
            schema=schema,
            prefilled=_jsonable(prefilled),
            registry_down=down,
            step=steps[0] if steps else "",
            started_at=now,
            signed_in_at=identity.last_signed_in_at,
            updated_at=now,
            expires_at=_expiry(now),
            idempotency_key=f"nop-{secrets.token_hex(16)}",
        )
        _audit("start", draft, citizen, schema=schema.pk, registry_down=down)
    return draft


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def answers_of(draft: Draft) -> dict[str, Any]:
    """What the form shows: the prefilled values under what the citizen saved."""
    return {**draft.prefilled, **draft.answers}


def save_step(
    *,
    draft_id: int,
    citizen,
    step: str,
    values: dict[str, Any],
    now: dt.datetime | None = None,
) -> tuple[Draft, dict[str, list[str]]]:
    """Keep one step's answers if they pass `engine.validate`; returns (draft, errors) and
    moves `draft.step` to the next shown step ("" after the last)."""
    now = now or timezone.now()
    with transaction.atomic():
        draft = _locked(draft_id, citizen, now)
        definition = draft.schema.definition
        step_fields = {
            f["name"] for s in definition["steps"] if s["key"] == step for f in s["fields"]
        }
        if not step_fields or step not in engine.visible_steps(definition, answers_of(draft)):
            raise ValidationError({"step": _("Bước này không có trong tờ khai.")})
        merged = {**answers_of(draft), **{k: v for k, v in values.items() if k in step_fields}}
        errors = engine.validate(definition, merged, step=step, prefilled=draft.prefilled)
        if errors:
            return draft, errors
        cleaned = engine.clean(definition, merged)
        answers = {k: v for k, v in draft.answers.items() if k not in step_fields}
        # a field left empty is kept as None: it stays empty, not refilled from `prefilled`
        answers.update({k: cleaned.get(k) for k in step_fields})
        draft.answers = _jsonable(answers)
        if step not in draft.steps_done:
            draft.steps_done = [*draft.steps_done, step]
        shown = engine.visible_steps(definition, answers_of(draft))
        later = shown[shown.index(step) + 1 :] if step in shown else []
        draft.step = later[0] if later else ""
        draft.updated_at, draft.expires_at = now, _expiry(now)
        draft.save()
        _audit("save_step", draft, citizen, step=step)
    return draft, {}


def choose_case(
    *,
    draft_id: int,
    citizen,
    case: str,
    conditions: Iterable[str],
    now: dt.datetime | None = None,
) -> Draft:
    """The fee case and the component conditions that hold (only those the procedure has)."""
    now = now or timezone.now()
    with transaction.atomic():
        draft = _locked(draft_id, citizen, now)
        choice, known = case_choices(draft.procedure, day=timezone.localdate(now))
        case = (case or "").strip()
        if choice.cases and case not in choice.cases:
            raise ValidationError({"case": _("Vui lòng chọn trường hợp của bạn.")})
        if not choice.cases:
            case = ""
        chosen = [c for c in conditions if c in known]
        if len(chosen) != len(list(conditions)):
            raise ValidationError({"conditions": _("Trường hợp này không có trong thủ tục.")})
        draft.case, draft.conditions = case, chosen
        draft.updated_at, draft.expires_at = now, _expiry(now)
        draft.save()
        # papers of a condition no longer chosen go
        wanted = {c.pk for c in papers_for(draft)}
        dropped = draft.papers.exclude(component_id__in=wanted)
        for paper in dropped:
            if paper.file:
                paper.file.delete(save=False)
        dropped.delete()
        _audit("choose_case", draft, citizen, case=case, conditions=chosen)
    return draft


def _component(draft: Draft, component_id: int) -> Component:
    for c in papers_for(draft):
        if c.pk == component_id:
            return c
    raise ValidationError({"component": _("Giấy tờ này không thuộc hồ sơ.")})


def attach_paper(
    *,
    draft_id: int,
    citizen,
    component_id: int,
    files: list[Upload],
    now: dt.datetime | None = None,
) -> DraftPaper:
    """The citizen's photos or PDF of one paper, made one PDF (`documents.uploads.paper_pdf`;
    `UploadRefused` with its Vietnamese message leaves the draft as it was)."""
    now = now or timezone.now()
    paper = paper_pdf(files)  # judged before the draft is locked: decoding takes a while
    with transaction.atomic():
        draft = _locked(draft_id, citizen, now)
        component = _component(draft, component_id)
        old = draft.papers.filter(component=component).first()
        if old is not None:
            if old.file:
                old.file.delete(save=False)
            old.delete()
        row = DraftPaper(draft=draft, component=component, pages=paper.pages, added_at=now)
        row.file.save(f"giay-to-{draft.pk}-{component.pk}.pdf", ContentFile(paper.pdf), save=False)
        row.save()
        draft.updated_at, draft.expires_at = now, _expiry(now)
        draft.save(update_fields=["updated_at", "expires_at"])
        _audit("attach_paper", draft, citizen, component=component.pk, pages=paper.pages)
    return row


def reuse_paper(
    *,
    draft_id: int,
    citizen,
    component_id: int,
    earlier_id: int | None = None,
    result_id: int | None = None,
    now: dt.datetime | None = None,
) -> DraftPaper:
    """An earlier paper of the citizen's for this one: a component of a dossier they filed
    (`earlier_id`, same name) or a signed result issued to them that this paper asks for
    (`result_id`, `reusable_results`). Either is recorded as reuse (`FilingFacts`)."""
    now = now or timezone.now()
    if (earlier_id is None) == (result_id is None):
        raise ValidationError({"earlier": _("Vui lòng chọn giấy tờ đã có.")})
    with transaction.atomic():
        draft = _locked(draft_id, citizen, now)
        component = _component(draft, component_id)
        earlier, result = None, None
        if earlier_id is not None:
            earlier = reusable(draft, component).filter(pk=earlier_id).first()
        else:
            result = next(
                (r for r in reusable_results(draft, component, now=now) if r.pk == result_id),
                None,
            )
        if earlier is None and result is None:
            raise ValidationError({"earlier": _("Không tìm thấy giấy tờ này trong hồ sơ của bạn.")})
        old = draft.papers.filter(component=component).first()
        if old is not None:
            if old.file:
                old.file.delete(save=False)
            old.delete()
        row = DraftPaper.objects.create(
            draft=draft,
            component=component,
            reused_from=earlier,
            reused_result=result,
            added_at=now,
        )
        draft.updated_at, draft.expires_at = now, _expiry(now)
        draft.save(update_fields=["updated_at", "expires_at"])
        _audit(
            "reuse_paper",
            draft,
            citizen,
            component=component.pk,
            earlier=earlier.pk if earlier else None,
            result=result.pk if result else None,
        )
    return row


def remove_paper(*, draft_id: int, citizen, paper_id: int, now: dt.datetime | None = None) -> Draft:
    now = now or timezone.now()
    with transaction.atomic():
        draft = _locked(draft_id, citizen, now)
        paper = draft.papers.get(pk=paper_id)
        if paper.file:
            paper.file.delete(save=False)
        paper.delete()
        draft.updated_at, draft.expires_at = now, _expiry(now)
        draft.save(update_fields=["updated_at", "expires_at"])
        _audit("remove_paper", draft, citizen, component=paper.component_id)
    return draft


def choose_delivery(
    *,
    draft_id: int,
    citizen,
    delivery: str,
    phone: str = "",
    notify_by: str = "",
    email: str = "",
    push_endpoint: str = "",
    postal_address: str = "",
    now: dt.datetime | None = None,
) -> Draft:
    """How the citizen wants the result (online, at the counter, by public post) and how to be
    told of each status change ("Nhận thông báo qua", `Dossier.notify_by`): SMS to their
    mobile, e-mail, or web push on the browser they turned notifications on in (its
    subscription, registered through the integrations push API, found by its endpoint, which
    only that browser knows). Not chosen (""): every contact they gave. Refusals are a
    ValidationError by field ("delivery", "notify_by", "phone", "email", "push")."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if delivery not in DELIVERIES:
        errors["delivery"] = _("Vui lòng chọn cách nhận kết quả.")
    if delivery == Delivery.POST:  # the post needs somewhere to deliver (postal app)
        try:
            postal_address = postal_services.clean_address(postal_address)
        except ValidationError as exc:
            errors["address"] = exc.messages[0]
    else:
        postal_address = ""
    notify_by = (notify_by or "").strip()
    if notify_by not in NotifyBy.values:
        errors["notify_by"] = _(
            "Vui lòng chọn cách nhận thông báo: SMS, thư điện tử hoặc điện thoại này."
        )
    phone = (phone or "").strip()
    if notify_by == NotifyBy.SMS and not phone:
        errors["phone"] = _("Vui lòng nhập số điện thoại di động để nhận tin nhắn SMS.")
    elif phone:
        try:
            phone = identifiers.phone(phone, mobile=notify_by == NotifyBy.SMS)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    email = (email or "").strip()
    if notify_by == NotifyBy.EMAIL and not email:
        errors["email"] = _("Vui lòng nhập địa chỉ thư điện tử để nhận thông báo qua thư.")
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@gmail.com).")
    subscription = None
    if notify_by == NotifyBy.PUSH:
        subscription = push_selectors.active_subscription(push_endpoint)
        if subscription is None:
            errors["push"] = _(
                "Chưa bật được thông báo trên điện thoại này. Hãy bấm «Bật thông báo» và "
                "cho phép, hoặc chọn nhận qua SMS hay thư điện tử."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        draft = _locked(draft_id, citizen, now)
        draft.result_delivery, draft.phone, draft.email = delivery, phone, email
        draft.postal_address = postal_address
        draft.notify_by, draft.push_subscription = notify_by, subscription
        draft.updated_at, draft.expires_at = now, _expiry(now)
        draft.save()
        _audit("choose_delivery", draft, citizen, delivery=delivery, notify_by=notify_by)
    return draft


def problems(draft: Draft) -> dict[str, list[str]]:
    """What stops the draft from being submitted: the declaration's errors by step key,
    "delivery" if no delivery was chosen, "case" if the fee case is missing."""
    definition = draft.schema.definition
    found: dict[str, list[str]] = {}
    errors = engine.validate(definition, answers_of(draft), prefilled=draft.prefilled)
    if errors:
        step_of = {f["name"]: s["key"] for s in definition["steps"] for f in s["fields"]}
        for name, messages in errors.items():
            found.setdefault(step_of[name], []).extend(messages)
    choice, _known = case_choices(draft.procedure, day=timezone.localdate())
    if choice.cases and draft.case not in choice.cases:
        found["case"] = [_("Vui lòng chọn trường hợp của bạn.")]
    if draft.result_delivery not in DELIVERIES:
        found["delivery"] = [_("Vui lòng chọn cách nhận kết quả.")]
    elif draft.result_delivery == Delivery.POST and not draft.postal_address:
        found["delivery"] = [_("Hãy ghi địa chỉ nhận kết quả qua bưu điện.")]
    return found


def submit(*, draft_id: int, citizen, now: dt.datetime | None = None) -> Dossier:
    """The draft becomes an online dossier ("Mới đăng ký"): the declaration printed as the
    tờ khai component, the papers attached or reused, what the filing measured. The draft row
    is locked: a second submit (double tap, two devices) gets the same dossier."""
    now = now or timezone.now()
    with transaction.atomic():
        draft, session = _acting(draft_id, citizen, now)
        if draft.status == Draft.Status.SUBMITTED and draft.dossier is not None:
            return draft.dossier
        if draft.status != Draft.Status.OPEN or is_expired(draft, now):
            raise DraftClosed(draft)
        found = problems(draft)
        if found:
            raise ValidationError({k: v for k, v in found.items()})
        identity = _identity(draft.citizen)
        definition = draft.schema.definition
        answers = engine.clean(definition, answers_of(draft))
        unit = draft.receiving_unit
        from .signing import signed_bytes  # the citizen's own signature (decisions/0038)

        declaration = signed_bytes(draft) or pdf.render(
            draft.schema,
            answers,
            addressee=f"Ủy ban nhân dân {unit.name}",
            place=unit.name,
            signed_on=timezone.localdate(now),
        )
        components: list[dossiers.ComponentIn] = []
        declared = next(
            (c for c in draft.procedure.components.order_by("order", "id") if is_declaration(c)),
            None,
        )
        components.append(
            dossiers.ComponentIn(
                name=declared.name if declared else _("Tờ khai (điện tử)"),
                form=declared.form if declared else "original",
                file=ContentFile(declaration, name=f"to-khai-{draft.pk}.pdf"),
            )
        )
        by_component = {
            p.component_id: p for p in draft.papers.select_related("reused_from", "reused_result")
        }
        reused = 0
        for component in papers_for(draft):
            paper = by_component.get(component.pk)
            if paper is None:
                continue
            source = paper.source
            with source.open("rb") as fh:
                data = fh.read()
            reused += 1 if paper.reused else 0
            components.append(
                dossiers.ComponentIn(
                    name=component.name,
                    form=component.form,
                    count=component.count,
                    file=ContentFile(data, name=f"giay-to-{draft.pk}-{component.pk}.pdf"),
                    reused_from_warehouse=paper.reused,
                )
            )
        components.extend(
            dossiers.ComponentIn(name=c.name, form=c.form, from_state_data=True)
            for c in draft.procedure.components.all()
            if c.from_state_data and cases.applies(c, case=draft.case, conditions=draft.conditions)
        )
        signed_in = max(
            [t for t in (draft.signed_in_at, identity.last_signed_in_at) if t is not None],
            default=None,
        )
        if session is not None:  # measured from the citizen's confirmation
            signed_in = session.confirmed_at
        shown = set(engine.visible_fields(definition, answers))
        dossier = dossiers.submit_online(
            draft.citizen,
            procedure=draft.procedure,
            receiving_unit=unit,
            applicant=dossiers.Applicant(
                name=identity.full_name,
                id_number=identity.citizen_id,
                phone=draft.phone,
                email=draft.email,
                address=identity.address[:300],
                notify_by=draft.notify_by,
            ),
            components=components,
            identity_verified_via=(
                IdentityVia.POPULATION_DB
                if session is not None and session.confirmed_by == "registry"
                else IdentityVia.VNEID
            ),
            idempotency_key=draft.idempotency_key,
            result_delivery=draft.result_delivery,
            at=now,
            case=draft.case,
            conditions=draft.conditions,
            filing=dossiers.FilingFacts(
                citizen=draft.citizen,
                signed_in_at=signed_in if signed_in and signed_in <= now else None,
                typed_fields=engine.typed_fields(definition, draft.prefilled, answers),
                prefilled_fields=len([k for k in draft.prefilled if k in shown]),
                reused_documents=reused,
                form_schema_id=draft.schema_id,
                assisted_by=session.helper if session else None,
                confirmed_by=session.confirmed_by if session else "",
            ),
        )
        if draft.notify_by == NotifyBy.PUSH and draft.push_subscription_id:
            # the device the citizen turned on while filing, now told of this dossier's
            # changes (the submission's own message, written inside submit_online before the
            # code existed, went to a contact they gave, or is the receipt on the screen)
            push_services.attach_dossier(
                subscription_id=draft.push_subscription_id, dossier_ref=dossier.code
            )
        if draft.result_delivery == Delivery.POST:  # the address and fee shown up front
            postal_services.record_request(dossier, address=draft.postal_address, at=now)
        draft.status, draft.dossier = Draft.Status.SUBMITTED, dossier
        draft.updated_at = now
        draft.save()
        if session is not None:
            from . import assisted

            assisted.submitted(session, dossier, now)
        _audit("submit", draft, citizen, dossier=dossier.pk, reused=reused)
    return dossier
