"""What a signed-in citizen may read: their own dossiers, and nothing else.

"Their own" is one rule, in every query here: the dossier's applicant ID number is the citizen
ID their national digital identity vouched for (`CitizenIdentity.citizen_id`), whatever the
channel (counter, online, post) and whichever unit received or decides it. A citizen without an
identity row has no dossiers. Another citizen's code is simply not found (the views answer 404,
the same as a code that does not exist).

The plain Vietnamese of statuses and events is the public tracking page's
(`dossiers.tracking_views`): one wording for the citizen wherever they look.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.catalog import papers
from motcua.catalog import selectors as catalog_selectors
from motcua.catalog.models import Procedure
from motcua.certification import selectors as certification
from motcua.dossiers import deadlines
from motcua.dossiers.models import Dossier, DossierComponent, DossierDocument, Status
from motcua.dossiers.notifications import format_moment, valid_until
from motcua.dossiers.tracking_views import (
    PUBLIC_EVENTS,
    PUBLIC_STATUS,
    TONE,
    event_details,
    public_view,
)
from motcua.eforms.models import FormSchema
from motcua.feedback.models import Rating
from motcua.feedback.services import RATEABLE_DOSSIER_STATUSES

from . import links
from .models import CitizenIdentity

S = Status
PAGE_SIZE = 20
# papers addressed to the applicant, which they may download from their dossier page
CITIZEN_PAPERS = (
    DossierDocument.Kind.RECEIPT,
    DossierDocument.Kind.SUPPLEMENT_REQUEST,
    DossierDocument.Kind.REFUSAL_LETTER,
    DossierDocument.Kind.APOLOGY_LETTER,
    DossierDocument.Kind.STOP_LETTER,
    DossierDocument.Kind.WITHDRAWAL_REQUEST,
)
# the result, once it is ready, and only as signed: a draft awaiting signature is never theirs
RESULT_STATUSES = (S.RESULT_READY, S.RETURNED)
# actions done by the one-stop (receiving) unit; the rest by the unit that decides
_RECEIVING_ACTIONS = frozenset({"receive", "accept", "refuse", "return_result", "transfer"})


def identity(user) -> CitizenIdentity | None:
    if not getattr(user, "is_authenticated", False) or user.kind != user.Kind.CITIZEN:
        return None
    return CitizenIdentity.objects.filter(user_id=user.pk).first()


def _citizen_id(user) -> str | None:
    found = identity(user)
    return found.citizen_id if found is not None and found.citizen_id else None


def my_dossiers(user) -> QuerySet[Dossier]:
    """The citizen's dossiers, newest first, with `rated` (a rating exists) annotated."""
    citizen_id = _citizen_id(user)
    if citizen_id is None:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(applicant_id_number=citizen_id)
        .select_related("receiving_unit", "competent_unit")
        .annotate(rated=Exists(Rating.objects.filter(dossier_id=OuterRef("pk"))))
        .order_by("-submitted_at", "-id")
    )


def my_dossier(user, code: str) -> Dossier | None:
    """The citizen's dossier with this code, or None (unknown and another's alike)."""
    if not code or len(code) > 60:
        return None
    return my_dossiers(user).filter(code=code).first()


def to_do(dossier: Dossier) -> str:
    """What the citizen needs to do now ("cần bạn làm"), or "" when nothing."""
    status = dossier.status
    if status == S.AWAITING_SUPPLEMENT:
        return _("Bổ sung giấy tờ")
    if status == S.AWAITING_FINANCIAL_OBLIGATION:
        return _("Nộp phí, lệ phí theo thông báo")
    if status == S.RESULT_READY:
        return _("Nhận kết quả")
    if status in RATEABLE_DOSSIER_STATUSES and not getattr(dossier, "rated", True):
        return _("Đánh giá mức độ hài lòng")
    return ""


@dataclass
class Row:
    code: str
    procedure_name: str
    status: str
    tone: str
    due: str
    to_do: str
    agency: str


def rows(dossiers) -> list[Row]:
    """One list row per dossier, in the words of the tracking page."""
    out = []
    for d in dossiers:
        label, _hint = PUBLIC_STATUS[Status(d.status)]
        out.append(
            Row(
                code=d.code,
                procedure_name=d.procedure_name,
                status=str(label),
                tone=TONE.get(Status(d.status), ""),
                due=_due_text(d),
                to_do=to_do(d),
                agency=d.competent_unit.name,
            )
        )
    return out


def _due_text(dossier: Dossier) -> str:
    if dossier.status in (S.RETURNED, S.REFUSED, S.WITHDRAWN, S.STOPPED):
        return ""
    return format_moment(dossier.due_at_current) if dossier.due_at_current else ""


@dataclass
class Event:
    at: str
    title: str
    agency: str
    details: list[str] = field(default_factory=list)
    tone: str = ""


def history(dossier: Dossier) -> list[Event]:
    """Status history in plain Vietnamese, newest first, each with its date and agency.

    Internal hand-overs (assignments, steps, the leader's approval) stay internal, as on the
    public tracking page; what the citizen did is "Bạn"."""
    events = dossier.events.select_related("actor").order_by("at", "id")
    out = []
    for event in events:
        title = PUBLIC_EVENTS.get(event.action)
        if title is None:
            continue
        details, tone = event_details(event, dossier)
        by_citizen = event.actor is not None and event.actor.kind == "citizen"
        if by_citizen or event.action == "submit_online":
            agency = _("Bạn (trực tuyến)")
        elif event.action in _RECEIVING_ACTIONS:
            agency = dossier.receiving_unit.name
        else:
            agency = dossier.competent_unit.name
        if event.action == "resubmit_supplement" and event.note:
            details = [*details, _("Ghi chú: %(note)s") % {"note": event.note}]
        out.append(Event(format_moment(event.at), str(title), agency, details, tone))
    out.reverse()
    return out


@dataclass
class SupplementAsk:
    items: list[str]
    reason: str
    requested_at: str
    answer_by: str
    resumed_due: str  # the new appointment if they answer now


def open_supplement(dossier: Dossier, now: dt.datetime) -> SupplementAsk | None:
    """What the agency asks for and by when, while the dossier awaits a supplement."""
    if dossier.status != S.AWAITING_SUPPLEMENT:
        return None
    request = (
        dossier.supplements.filter(resubmitted_at__isnull=True).order_by("requested_at").last()
    )
    if request is None:
        return None
    unit = dossier.competent_unit_id
    answer_by = ""
    days = settings.MOTCUA_SUPPLEMENT_ANSWER_WORKING_DAYS
    if days > 0:
        answer_by = format_moment(deadlines.resumed_due(request.requested_at, Decimal(days), unit))
    resumed = ""
    if request.remaining_working_days is not None:
        resumed = format_moment(deadlines.resumed_due(now, request.remaining_working_days, unit))
    return SupplementAsk(
        items=[str(i) for i in request.items],
        reason=request.reason,
        requested_at=format_moment(request.requested_at),
        answer_by=answer_by,
        resumed_due=resumed,
    )


def downloadable(dossier: Dossier) -> QuerySet[DossierDocument]:
    """The stored papers of the dossier the applicant may have: the signed result once it is
    ready, and the papers addressed to them."""
    docs = dossier.documents.exclude(file="")
    papers = docs.filter(kind__in=CITIZEN_PAPERS)
    if dossier.status in RESULT_STATUSES:
        papers = papers | docs.filter(kind=DossierDocument.Kind.RESULT, signed=True)
    return papers.order_by("created_at", "id")


def document_for_link(
    user, *, code: str, dossier_id: int, document_id: int, name: str, kind: str = "d"
):
    """The (dossier, document) a signed link points at, if the dossier is still the citizen's,
    the row still holds that very file and it is one they may have; else None. `kind` "c":
    a component they filed (kept as a file) instead of a document row."""
    dossier = my_dossier(user, code)
    if dossier is None or dossier.pk != dossier_id:
        return None
    rows = dossier.components.exclude(file="") if kind == "c" else downloadable(dossier)
    document = rows.filter(pk=document_id).first()
    if document is None or document.file.name != name:
        return None
    return dossier, document


def public(dossier: Dossier):
    """The tracking page's view of the dossier (status, hint, appointment, where to collect)."""
    return public_view(dossier)


# --- "Giấy tờ của tôi" -------------------------------------------------------------------------
# The results issued to the citizen (the signed result of a dossier of theirs, once it is ready)
# and the components they filed (kept as files), newest first. Scoped by the same one rule as
# their dossiers: the dossier's applicant ID number is their identity's citizen ID.

ONLINE_MODES = ("full", "partial")  # the filing flow's (filing.services.ONLINE_MODES)
MAX_OFFERS = 3  # procedures offered under one paper ("Dùng cho hồ sơ mới")


def my_results(user) -> QuerySet[DossierDocument]:
    """The signed results of the citizen's dossiers that are theirs to have (ready or
    returned), newest first."""
    return (
        DossierDocument.objects.filter(
            dossier__in=my_dossiers(user).filter(status__in=RESULT_STATUSES),
            kind=DossierDocument.Kind.RESULT,
            signed=True,
        )
        .exclude(file="")
        .select_related("dossier", "dossier__procedure", "dossier__receiving_unit")
        .order_by("-created_at", "-id")
    )


def my_components(user) -> QuerySet[DossierComponent]:
    """The papers the citizen filed that were kept as files, newest dossier first."""
    return (
        DossierComponent.objects.filter(dossier__in=my_dossiers(user))
        .exclude(file="")
        .select_related("dossier", "dossier__receiving_unit")
        .order_by("-dossier__submitted_at", "-id")
    )


def papers_of_result(document: DossierDocument) -> list[str]:
    """The (folded) papers a result is, by `catalog.papers`' rule."""
    dossier = document.dossier
    result_type = dossier.procedure.result_type if dossier.procedure_id else ""
    validity = catalog_selectors.result_validity(dossier.procedure_code)
    return papers.result_papers(result_type, *([validity.result] if validity else []))


def result_still_valid(document: DossierDocument, now: dt.datetime) -> bool:
    """False only when a validity rule says the result has expired (ResultValidity)."""
    until = valid_until(document.dossier)
    return until is None or until > now


@dataclass
class Offer:
    procedure_id: int
    name: str


@dataclass
class Paper:
    kind: str  # "result" | "filed"
    name: str
    procedure_name: str
    code: str
    at: dt.datetime
    url: str
    valid_until: dt.datetime | None = None
    expired: bool = False
    offers: list[Offer] = field(default_factory=list)
    verify_url: str = ""  # a certified copy: its public verification page
    number: str = ""  # a certified copy: its number in the certification book
    issuer: str = ""
    void_reason: str = ""  # a certified copy voided by its unit (decisions/0040): why


def _online_procedures(unit_ids: set[int]) -> list[Procedure]:
    if not unit_ids:
        return []
    declared = FormSchema.objects.filter(status=FormSchema.Status.PUBLISHED).values("procedure_id")
    return list(
        catalog_selectors.published_procedures()
        .filter(unit_id__in=unit_ids, online_mode__in=ONLINE_MODES, pk__in=declared)
        .prefetch_related("components")
        .order_by("name", "pk")
    )


def _offers(procedures: list[Procedure], wanted) -> list[Offer]:
    out: list[Offer] = []
    for procedure in procedures:
        if any(wanted(c.name) for c in procedure.components.all()):
            out.append(Offer(procedure.pk, procedure.name))
        if len(out) >= MAX_OFFERS:
            break
    return out


def my_papers_page(user, page_number, *, now: dt.datetime):
    """One page of "Giấy tờ của tôi": (the Paginator page, its `Paper`s): results and filed
    papers merged newest first, each with its signed link and where it serves a new filing."""
    from django.core.paginator import Paginator

    keys = [("r", pk, at) for pk, at in my_results(user).values_list("pk", "created_at")]
    keys += [
        ("c", pk, at) for pk, at in my_components(user).values_list("pk", "dossier__submitted_at")
    ]
    citizen_id = _citizen_id(user)
    copies = certification.copies_of_citizen(citizen_id) if citizen_id else None
    if copies is not None:
        keys += [("k", pk, at) for pk, at in copies.values_list("pk", "certified_at")]
    keys.sort(key=lambda k: (k[2], k[0] == "r", k[1]), reverse=True)
    page = Paginator(keys, PAGE_SIZE).get_page(page_number)
    results = my_results(user).in_bulk([pk for k, pk, _at in page.object_list if k == "r"])
    components = my_components(user).in_bulk([pk for k, pk, _at in page.object_list if k == "c"])
    certified = (
        copies.in_bulk([pk for k, pk, _at in page.object_list if k == "k"])
        if copies is not None
        else {}
    )
    units: set[int] = set()
    rows: list[DossierDocument | DossierComponent] = [*results.values(), *components.values()]
    for row in rows:
        unit = row.dossier.receiving_unit
        units.update(u for u in (unit.pk, unit.parent_id) if u)
    procedures = _online_procedures(units)

    def near(dossier) -> list[Procedure]:
        unit = dossier.receiving_unit
        return [p for p in procedures if p.unit_id in (unit.pk, unit.parent_id)]

    items: list[Paper] = []
    for kind, pk, _at in page.object_list:
        if kind == "k":  # an electronic certified copy (certification app), no dossier
            entry = certified[pk]
            items.append(
                Paper(
                    kind="certified",
                    name=entry.title,
                    procedure_name=_("Bản sao điện tử chứng thực từ bản chính"),
                    code=entry.document.verification_code,
                    at=entry.certified_at,
                    url=reverse("documents:download", args=[entry.document.verification_code]),
                    verify_url=reverse(
                        "documents:verify_code", args=[entry.document.verification_code]
                    ),
                    number=_("Số %(n)s, quyển %(book)s") % {"n": entry.number, "book": entry.book},
                    issuer=entry.unit.name,
                    void_reason=entry.void_reason if entry.voided else "",
                )
            )
        elif kind == "r":
            document = results[pk]
            dossier = document.dossier
            names = papers_of_result(document)
            until = valid_until(dossier)
            items.append(
                Paper(
                    kind="result",
                    name=(dossier.procedure.result_type if dossier.procedure_id else "")
                    or _("Kết quả giải quyết"),
                    procedure_name=dossier.procedure_name,
                    code=dossier.code,
                    at=document.created_at,
                    url=links.url_for(user, dossier, document),
                    valid_until=until,
                    expired=until is not None and until <= now,
                    offers=[]
                    if until is not None and until <= now
                    else _offers(near(dossier), lambda n, names=names: papers.needs(n, names)),
                )
            )
        else:
            component = components[pk]
            dossier = component.dossier
            items.append(
                Paper(
                    kind="filed",
                    name=component.name,
                    procedure_name=dossier.procedure_name,
                    code=dossier.code,
                    at=dossier.submitted_at,
                    url=links.url_for_component(user, dossier, component),
                    offers=_offers(near(dossier), lambda n, name=component.name: n == name),
                )
            )
    return page, items
