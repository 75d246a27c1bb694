"""The counter officer's screens: receive a dossier, refuse it, ask for supplements, hand out
results, print the papers and the tracking book. Thin: parse -> service -> render.

Illegal actions (IllegalTransition / InvariantBroken) answer 409 with the Vietnamese reason;
another unit's dossier is a 404 (`selectors.get_for_staff`). The reception form carries a
one-time key, so a double-submitted form lands on the same dossier.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role, StaffAssignment
from motcua.accounts.scoping import visible_unit_ids
from motcua.catalog import cases
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import published_procedures, search_procedures
from motcua.core.calendar import LOCAL_TZ
from motcua.core.files import read_stored
from motcua.documents.uploads import UploadRefused
from motcua.postal import services as postal_services
from motcua.registry import counter as registry_counter

from . import deadlines, defects, file_links, selectors, services, workflow
from .counter_forms import (
    COUNTER_DELIVERIES,
    ReasonForm,
    ReceptionForm,
    ResubmitForm,
    ReturnForm,
    SupplementForm,
    TrackingBookForm,
)
from .models import ApplicantKind, Delivery, Dossier, DossierDocument, Scan, Status
from .notifications import lookup_url  # the receipt's QR: the public tracking page
from .papers import from_dossier
from .papers import render as papers
from .workflow import IllegalTransition

COUNTER = (Role.COUNTER_OFFICER, Role.MANAGER)
# the verbs this screen offers; whether a user gets each is the workflow's business
COUNTER_ACTIONS = frozenset({"refuse", "request_supplement", "accept", "resubmit_supplement"})
MAX_PROCEDURE_RESULTS = 15
MAX_RETURN_RESULTS = 30
MAX_BOOK_ROWS = 5000
DELIVERY_NOTE = from_dossier.DELIVERY_NOTE
SCAN_POLL_MS = 1500  # how often the counter screen asks for a running scan's progress


# --- helpers -----------------------------------------------------------------------------------


def _receiving_unit(user):
    """The unit whose counter the officer sits at: their first counter assignment."""
    assignment = (
        StaffAssignment.objects.filter(user_id=user.pk, is_active=True, role__in=COUNTER)
        .select_related("unit", "unit__parent")
        .order_by("id")
        .first()
    )
    if assignment is None:
        raise PermissionDenied
    return assignment.unit


def _procedures_for(unit):
    """Published procedures of the unit or of a unit above it (the province's list)."""
    chain, current = [], unit
    while current is not None and len(chain) < 4:
        chain.append(current.pk)
        current = current.parent
    return published_procedures().filter(unit_id__in=chain).order_by("name", "pk")


def _conflict(request, dossier, reason: str):
    return render(
        request,
        "dossiers/counter/conflict.html",
        {"dossier": dossier, "reason": reason},
        status=409,
    )


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _file_name(dossier: Dossier, stem: str) -> str:
    return f"{stem}-{dossier.code}.pdf"


# --- reception ---------------------------------------------------------------------------------


def _search_results(unit, query: str):
    query = " ".join((query or "").split())[:200]
    if not query:
        return []
    return list(search_procedures(_procedures_for(unit), query)[:MAX_PROCEDURE_RESULTS])


@staff_required(*COUNTER)
@require_GET
def procedure_search(request):
    """htmx live results under the search box (the page itself works without JS)."""
    unit = _receiving_unit(request.user)
    query = request.GET.get("q", "")
    return render(
        request,
        "dossiers/counter/_procedure_results.html",
        {"results": _search_results(unit, query), "query": query},
    )


def _reception_context(request, unit, procedure, form) -> dict:
    return {
        "unit": unit,
        "procedure": procedure,
        "form": form,
        "query": request.GET.get("q", ""),
        "results": _search_results(unit, request.GET.get("q", "")) if not procedure else [],
    }


def _fee_choice(procedure) -> cases.FeeChoice:
    """The fee alternatives in force today for an in-person dossier (what the form offers)."""
    return cases.fee_choice(procedure.fees.all(), online=False, day=timezone.localdate())


def _components_in(
    form: ReceptionForm, reuse: dict[int, int] | None = None
) -> list[services.ComponentIn]:
    """The rows to store; `reuse` {component pk: result document id} for the papers taken
    from the citizen's documents instead of collected again (decisions/0034)."""
    reuse = reuse or {}
    out = []
    for row in form.received_components():
        chosen = reuse.get(row.get("pk", 0))
        out.append(
            services.ComponentIn(
                name=row["name"],
                form=row["form"],
                count=row["count"],
                upload=() if chosen or not row.get("file") else (row["file"],),
                from_state_data=row["state"],
                reuse_result=chosen,
            )
        )
    return out


def _reuse_offers(form: ReceptionForm, data: dict) -> dict[int, defects.IssuedResult]:
    """The ticked components the applicant already holds as a valid issued result: the
    counter warns before collecting them again (defect (e), decisions/0034)."""
    if data["applicant_kind"] != ApplicantKind.CITIZEN:
        return {}
    number = data["applicant_id_number"]
    held = defects.issued_results([number]).get(number, [])
    if not held:
        return {}
    now = timezone.now()
    offers = {}
    for row in form.received_components():
        if row["state"]:
            continue
        match = defects.matching_result(row["name"], held, at=now)
        if match is not None:
            offers[row["pk"]] = match
    return offers


def _reception_lookup(request, unit, procedure):
    """ "Tra cứu CSDL dân cư" without JavaScript: the form comes back as typed, with the name and
    address from the registry and the lookup's id when found, and the registry's answer."""
    post = request.POST
    answer = registry_counter.look_up(
        user=request.user,
        unit=unit,
        citizen_id=post.get("applicant_id_number", ""),
        purpose="reception",
    )
    initial = {name: post.get(name) for name in post if name != "conditions"}
    initial["conditions"] = post.getlist("conditions")
    for c in procedure.components.all():
        initial[f"c{c.pk}_received"] = f"c{c.pk}_received" in post
    initial["registry_lookup"] = answer.lookup_id if answer.found else None
    if answer.found:
        initial["applicant_name"] = answer.person["full_name"]
        initial["applicant_address"] = answer.person["permanent_residence"]
    form = ReceptionForm(procedure=procedure, fee_choice=_fee_choice(procedure), initial=initial)
    context = _reception_context(request, unit, procedure, form)
    context["registry_answer"] = answer
    return render(request, "dossiers/counter/reception.html", context)


@staff_required(*COUNTER)
@require_http_methods(["GET", "POST"])
def reception(request):
    """Tiếp nhận hồ sơ: find the procedure, then applicant, checklist, delivery, submit."""
    unit = _receiving_unit(request.user)
    procedure = None
    raw = request.POST.get("procedure") or request.GET.get("thu_tuc")
    if raw:
        try:
            procedure = (
                _procedures_for(unit).prefetch_related("components", "fees").get(pk=int(raw))
            )
        except (Procedure.DoesNotExist, ValueError, OverflowError) as exc:
            raise Http404 from exc
    if request.method == "GET" or procedure is None:
        form = None
        if procedure is not None:
            form = ReceptionForm(
                procedure=procedure,
                fee_choice=_fee_choice(procedure),
                initial={"key": secrets.token_urlsafe(24)},
            )
        return render(
            request,
            "dossiers/counter/reception.html",
            _reception_context(request, unit, procedure, form),
        )

    if request.POST.get("action") == "lookup":
        return _reception_lookup(request, unit, procedure)
    form = ReceptionForm(
        request.POST, request.FILES, procedure=procedure, fee_choice=_fee_choice(procedure)
    )
    refusing = request.POST.get("action") == "refuse"
    if form.is_valid() and refusing and not form.cleaned_data["refusal_reason"].strip():
        form.add_error("refusal_reason", _("Phải ghi rõ lý do từ chối tiếp nhận."))
    if not form.is_valid():
        return render(
            request,
            "dossiers/counter/reception.html",
            _reception_context(request, unit, procedure, form),
            status=400,
        )
    data = form.cleaned_data
    offers = {} if refusing else _reuse_offers(form, data)
    reuse: dict[int, int] = {}
    undecided = False
    for pk, result in offers.items():
        answer = request.POST.get(f"c{pk}_reuse", "")
        if answer == str(result.document_id):
            reuse[pk] = result.document_id
        elif answer != "paper":
            undecided = True
    if undecided:  # warn before collecting a paper the citizen already has
        for c in form.components:
            c.reuse_offer = offers.get(c.pk)
        context = _reception_context(request, unit, procedure, form)
        context["reuse_warning"] = len(offers)
        return render(request, "dossiers/counter/reception.html", context, status=200)
    applicant = services.Applicant(
        name=data["applicant_name"],
        id_number=data["applicant_id_number"],
        kind=data["applicant_kind"],
        phone=data["applicant_phone"],
        email=data["applicant_email"],
        address=data["applicant_address"],
    )
    try:
        with transaction.atomic():
            dossier = services.receive_at_counter(
                request.user,
                procedure=procedure,
                receiving_unit=unit,
                applicant=applicant,
                components=_components_in(form, reuse),
                identity_verified_via=data["identity_via"],
                registry_lookup=data.get("registry_lookup"),
                idempotency_key=data["key"],
                result_delivery=data["delivery"],
                note=DELIVERY_NOTE[data["delivery"]],
                case=form.chosen_case(),
                conditions=form.chosen_conditions(),
            )
            if data["delivery"] == Delivery.POST:  # the address and fee quoted (postal app)
                postal_services.record_request(
                    dossier,
                    address=data["applicant_address"],
                    at=dossier.received_at or dossier.submitted_at,
                )
            if refusing and dossier.status == Status.RECEIVED and dossier.version == 1:
                dossier = services.refuse_with_letter(
                    request.user, dossier_id=dossier.pk, reason=data["refusal_reason"]
                )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(
            request,
            "dossiers/counter/reception.html",
            _reception_context(request, unit, procedure, form),
            status=400,
        )
    except UploadRefused as exc:  # judged by content, or the same paper scanned already
        form.add_error(None, exc.message)
        return render(
            request,
            "dossiers/counter/reception.html",
            _reception_context(request, unit, procedure, form),
            status=400,
        )
    except IllegalTransition as exc:
        return _conflict(request, None, exc.reason)
    url = reverse("dossiers:counter_dossier", args=[dossier.pk])
    return redirect(f"{url}?moi=1")


# --- one dossier at the counter ----------------------------------------------------------------


def _dossier_context(request, dossier: Dossier, **forms) -> dict:
    supplement = None
    if dossier.status == Status.AWAITING_SUPPLEMENT:
        supplement = dossier.supplements.filter(resubmitted_at__isnull=True).last()
    allowed = set(workflow.actions_for(request.user, dossier)) & COUNTER_ACTIONS
    kinds = set(dossier.documents.values_list("kind", flat=True))
    papers_available = [
        (kind, label)
        for kind, label in PAPER_LABELS.items()
        if _paper_applies(dossier, kind, kinds)
    ]
    reception = None
    if dossier.status == Status.SUBMITTED:  # online, awaiting reception: its own clock
        reception = deadlines.assess(
            now=deadlines.current_time(),
            status=dossier.status,
            due_at=None,
            received_at=None,
            unit=dossier.receiving_unit_id,
            submitted_at=dossier.submitted_at,
        )
    return {
        "dossier": dossier,
        "reception": reception,
        "reception_hours": settings.MOTCUA_ONLINE_RECEPTION_HOURS,
        "done": _done_banner(request, dossier),
        "allowed": allowed,
        "papers": papers_available,
        "supplement": supplement,
        "refuse_form": forms.get("refuse_form") or ReasonForm(initial={"version": dossier.version}),
        "supplement_form": forms.get("supplement_form")
        or SupplementForm(initial={"version": dossier.version}),
        "resubmit_form": forms.get("resubmit_form")
        or (
            ResubmitForm(items=supplement.items, initial={"version": dossier.version})
            if supplement
            else None
        ),
        "components": _with_scans(request.user, dossier),
        "may_scan": services.may_scan(request.user, dossier),
        "doc_types": services.scan_document_types(dossier),
        "scan_errors": forms.get("scan_errors") or {},
    }


def _with_scans(user, dossier: Dossier) -> list:
    """The components with their signed file links and their latest scan (`c.scan`)."""
    rows = file_links.attach_links(user, dossier.pk, file_links.COMPONENT, dossier.components.all())
    latest = {s.component_id: s for s in Scan.objects.filter(dossier=dossier).order_by("id")}
    for row in rows:
        row.scan = latest.get(row.pk)
    return rows


def _done_banner(request, dossier: Dossier) -> str:
    """Right after the reception form: "received" (code, appointment) or "refused"."""
    if request.GET.get("moi") != "1":
        return ""
    if dossier.status in (Status.RECEIVED, Status.TRANSFERRING):
        return "received"
    return "refused" if dossier.status == Status.REFUSED else ""


@staff_required(*COUNTER)
@require_GET
def dossier(request, pk: int):
    """The dossier as the counter sees it: code, appointment, papers, counter actions."""
    found = selectors.get_for_staff(request.user, pk)
    return render(request, "dossiers/counter/dossier.html", _dossier_context(request, found))


def _version(form) -> int | None:
    return form.cleaned_data.get("version") if form.is_valid() else None


@staff_required(*COUNTER)
@require_POST
def refuse(request, pk: int):
    """Từ chối tiếp nhận: Mẫu 03 generated and attached, then the dossier is REFUSED."""
    found = selectors.get_for_staff(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        context = _dossier_context(request, found, refuse_form=form)
        return render(request, "dossiers/counter/dossier.html", context, status=400)
    version = form.cleaned_data.get("version")
    if found.status == Status.REFUSED and version is not None and version < found.version:
        return redirect("dossiers:counter_dossier", pk=found.pk)  # the same form sent twice
    try:
        with transaction.atomic():
            services.refuse_with_letter(
                request.user,
                dossier_id=found.pk,
                reason=form.cleaned_data["reason"],
                expected_version=version,
            )
    except IllegalTransition as exc:
        return _conflict(request, found, exc.reason)
    messages.success(request, _("Đã từ chối tiếp nhận và lập phiếu từ chối."))
    return redirect("dossiers:counter_dossier", pk=found.pk)


@staff_required(*COUNTER)
@require_POST
def request_supplement(request, pk: int):
    """Yêu cầu bổ sung: Mẫu 02 attached, the clock stops until the applicant completes it."""
    found = selectors.get_for_staff(request.user, pk)
    form = SupplementForm(request.POST)
    if not form.is_valid():
        context = _dossier_context(request, found, supplement_form=form)
        return render(request, "dossiers/counter/dossier.html", context, status=400)
    version = form.cleaned_data.get("version")
    if (
        found.status == Status.AWAITING_SUPPLEMENT
        and version is not None
        and version < found.version
    ):
        return redirect("dossiers:counter_dossier", pk=found.pk)
    items, reason = form.cleaned_data["items"], form.cleaned_data["reason"].strip()
    try:
        services.request_supplement(
            request.user,
            dossier_id=found.pk,
            items=items,
            reason=reason,
            expected_version=version,
        )
    except IllegalTransition as exc:
        return _conflict(request, found, exc.reason)
    messages.success(request, _("Đã lập phiếu yêu cầu bổ sung; thời hạn giải quyết tạm dừng."))
    return redirect("dossiers:counter_dossier", pk=found.pk)


@staff_required(*COUNTER)
@require_POST
def resubmit(request, pk: int):
    """The applicant brought the missing papers: received, the clock resumes."""
    found = selectors.get_for_staff(request.user, pk)
    supplement = found.supplements.filter(resubmitted_at__isnull=True).last()
    if found.status != Status.AWAITING_SUPPLEMENT or supplement is None:
        if found.status != Status.AWAITING_SUPPLEMENT and found.supplements.exists():
            return redirect("dossiers:counter_dossier", pk=found.pk)  # sent twice
        return _conflict(request, found, _("Hồ sơ không ở trạng thái chờ bổ sung."))
    form = ResubmitForm(request.POST, request.FILES, items=supplement.items)
    if not form.is_valid():
        context = _dossier_context(request, found, resubmit_form=form)
        return render(request, "dossiers/counter/dossier.html", context, status=400)
    components = []
    for i, item in enumerate(supplement.items):
        upload = form.cleaned_data.get(f"item{i}_file")
        components.append(services.ComponentIn(name=item, upload=(upload,) if upload else ()))
    try:
        services.resubmit_supplement(request.user, dossier_id=found.pk, components=components)
    except IllegalTransition as exc:
        return _conflict(request, found, exc.reason)
    except UploadRefused as exc:
        form.add_error(None, exc.message)
        context = _dossier_context(request, found, resubmit_form=form)
        return render(request, "dossiers/counter/dossier.html", context, status=400)
    messages.success(request, _("Đã nhận hồ sơ bổ sung; thời hạn giải quyết tiếp tục."))
    return redirect("dossiers:counter_dossier", pk=found.pk)


@staff_required(*COUNTER)
@require_POST
def accept(request, pk: int):
    """Tiếp nhận hồ sơ trực tuyến: the online dossier is complete; its clock starts now."""
    found = selectors.get_for_staff(request.user, pk)
    if found.status == Status.RECEIVED and found.channel == "online":
        return redirect("dossiers:counter_dossier", pk=found.pk)  # sent twice
    try:
        services.accept_online(request.user, dossier_id=found.pk)
    except IllegalTransition as exc:
        return _conflict(request, found, exc.reason)
    messages.success(request, _("Đã tiếp nhận hồ sơ trực tuyến."))
    return redirect("dossiers:counter_dossier", pk=found.pk)


# --- scans of the components (decisions/0037) --------------------------------------------------


@staff_required(*COUNTER)
@require_POST
def scan_upload(request, pk: int, component_pk: int):
    """Tải bản quét: one PDF or several photos for one component; stored, OCR queued."""
    found = selectors.get_for_staff(request.user, pk)
    component = found.components.filter(pk=component_pk).first()
    if component is None:
        raise Http404
    try:
        services.attach_component_scan(
            request.user, component_id=component.pk, files=request.FILES.getlist("tep")
        )
    except UploadRefused as exc:
        context = _dossier_context(request, found, scan_errors={component.pk: exc.message})
        return render(request, "dossiers/counter/dossier.html", context, status=400)
    messages.success(
        request,
        _("Đã lưu bản quét “%(name)s”; hệ thống đang nhận dạng chữ.") % {"name": component.name},
    )
    return redirect(f"{reverse('dossiers:counter_dossier', args=[found.pk])}#tp-{component.pk}")


def _scan_for_staff(request, scan_pk: int) -> Scan:
    scan = Scan.objects.filter(pk=scan_pk).select_related("component").first()
    if scan is None:
        raise Http404
    selectors.get_for_staff(request.user, scan.dossier_id)  # another unit's scan: 404
    return scan


def _scan_part(request, scan: Scan, *, error: str = "", status: int = 200):
    dossier = scan.dossier
    component = scan.component
    file_url = ""  # the page's preview link names the original: a fresh one for the PDF/A
    if scan.state == Scan.State.DONE and component.file.name == scan.ocr_file.name:
        file_url = file_links.url_for(request.user, dossier.pk, file_links.COMPONENT, component)
    return render(
        request,
        "dossiers/counter/_scan.html",
        {
            "scan": scan,
            "dossier": dossier,
            "may_scan": services.may_scan(request.user, dossier),
            "doc_types": services.scan_document_types(dossier),
            "poll_ms": SCAN_POLL_MS,
            "scan_error": error,
            "file_url": file_url,
        },
        status=status,
    )


@staff_required(*COUNTER)
@require_GET
def scan_status(request, scan_pk: int):
    """The scan's state and progress, the partial the counter screen polls while OCR runs."""
    return _scan_part(request, _scan_for_staff(request, scan_pk))


@staff_required(*COUNTER)
@require_POST
def scan_retry(request, scan_pk: int):
    scan = _scan_for_staff(request, scan_pk)
    try:
        services.retry_scan(request.user, scan_id=scan.pk)
    except ValidationError as exc:
        scan.refresh_from_db()
        return _scan_part(request, scan, error=" ".join(exc.messages), status=409)
    if request.htmx:
        scan.refresh_from_db()
        return _scan_part(request, scan)
    messages.success(request, _("Đã đưa bản quét vào hàng chờ nhận dạng chữ lại."))
    return redirect("dossiers:counter_dossier", pk=scan.dossier_id)


@staff_required(*COUNTER)
@require_POST
def scan_document_type(request, scan_pk: int):
    """Sửa loại giấy tờ of a scan (one of the names the page offers)."""
    scan = _scan_for_staff(request, scan_pk)
    try:
        scan = services.set_scan_document_type(
            request.user, scan_id=scan.pk, document_type=request.POST.get("document_type", "")
        )
    except ValidationError as exc:
        scan.refresh_from_db()
        return _scan_part(request, scan, error=" ".join(exc.messages), status=400)
    if request.htmx:
        return _scan_part(request, scan)
    messages.success(request, _("Đã lưu loại giấy tờ."))
    return redirect("dossiers:counter_dossier", pk=scan.dossier_id)


# --- papers ------------------------------------------------------------------------------------

PAPER_LABELS = {
    "receipt": gettext_lazy("Giấy tiếp nhận và hẹn trả kết quả"),
    "supplement": gettext_lazy("Phiếu yêu cầu bổ sung"),
    "refusal": gettext_lazy("Phiếu từ chối tiếp nhận"),
    "apology": gettext_lazy("Văn bản xin lỗi và gia hạn"),
    "stop": gettext_lazy("Thông báo dừng giải quyết"),
    "control": gettext_lazy("Phiếu kiểm soát quá trình"),
}
_STORED_KIND = {
    "supplement": DossierDocument.Kind.SUPPLEMENT_REQUEST,
    "refusal": DossierDocument.Kind.REFUSAL_LETTER,
    "stop": DossierDocument.Kind.STOP_LETTER,
}


def _paper_applies(dossier: Dossier, kind: str, stored_kinds: set[str]) -> bool:
    if kind in ("receipt", "control"):
        return dossier.received_at is not None and dossier.status != Status.REFUSED
    if kind == "refusal":
        return dossier.status == Status.REFUSED
    if kind == "stop":
        return dossier.status == Status.STOPPED
    if kind == "supplement":
        return DossierDocument.Kind.SUPPLEMENT_REQUEST in stored_kinds or (
            dossier.supplements.exists()
        )
    if kind == "apology":
        return dossier.extensions.exists()
    return False


def _build_paper(dossier: Dossier, kind: str) -> bytes | None:
    if kind == "receipt":
        paper = from_dossier.receipt(dossier, lookup_url=lookup_url(dossier.code))
        return papers.render_receipt(paper) if paper else None
    if kind == "supplement":
        paper = from_dossier.supplement_request(dossier)
        return papers.render_supplement_request(paper) if paper else None
    if kind == "refusal":
        paper = from_dossier.refusal(dossier)
        return papers.render_refusal(paper) if paper else None
    if kind == "apology":
        paper = from_dossier.apology(dossier)
        return papers.render_apology(paper) if paper else None
    if kind == "stop":
        paper = from_dossier.stop_notice(dossier)
        return papers.render_stop_notice(paper) if paper else None
    if kind == "control":
        paper = from_dossier.control_sheet(dossier)
        return papers.render_control_sheet(paper) if paper else None
    return None


@staff_required()
@require_GET
def paper(request, pk: int, kind: str):
    """A standard paper of the dossier as PDF: the stored letter if one was attached, else
    generated from the dossier now; 404 when the paper does not apply."""
    if kind not in PAPER_LABELS:
        raise Http404
    found = selectors.get_for_staff(request.user, pk)
    stored_kind = _STORED_KIND.get(kind)
    if stored_kind:
        document = found.documents.filter(kind=stored_kind).exclude(file="").last()
        if document is not None:
            return _pdf(read_stored(document.file), _file_name(found, kind))
    if not _paper_applies(found, kind, set()):
        raise Http404
    content = _build_paper(found, kind)
    if content is None:
        raise Http404
    return _pdf(content, _file_name(found, kind))


# --- returning results -------------------------------------------------------------------------


@staff_required(*COUNTER)
@require_GET
def returns(request):
    """Trả kết quả: dossiers with a result ready, found by code, name or ID number."""
    query = request.GET.get("q", "")
    ready = selectors.for_staff(request.user).filter(status=Status.RESULT_READY)
    rows = list(selectors.search(ready, query).order_by("finished_at", "id")[:MAX_RETURN_RESULTS])
    for row in rows:
        row.default_delivery = default_delivery(row)
    return render(
        request,
        "dossiers/counter/returns.html",
        {"rows": rows, "query": query, "form": ReturnForm()},
    )


def _return_page(request, dossier: Dossier, form, status: int = 200):
    return render(
        request,
        "dossiers/counter/return_one.html",
        {
            "dossier": dossier,
            "form": form,
            "fee": selectors.fee_status(dossier),
            "online_allowed": services.online_return_allowed(dossier),
        },
        status=status,
    )


@staff_required(*COUNTER)
@require_http_methods(["GET", "POST"])
def return_result(request, pk: int):
    """Hand the result over (counter or post) and record who took it; the fee status is on
    the screen. 400 with the field's message on bad input, 409 when it cannot be done."""
    found = selectors.get_for_staff(request.user, pk)
    if request.method == "GET":
        initial = {"delivery": default_delivery(found)}
        return _return_page(request, found, ReturnForm(initial=initial))
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _return_page(request, found, form, status=400)
    if found.status == Status.RETURNED:
        messages.info(request, _("Hồ sơ %(code)s đã được trả kết quả.") % {"code": found.code})
        return redirect("dossiers:counter_returns")
    data = form.cleaned_data
    try:
        services.return_result(
            request.user,
            dossier_id=found.pk,
            delivery=data["delivery"],
            tracking_number=data["tracking_number"],
            collected_by_kind=data["collected_by_kind"],
            collector_name=data["collector_name"],
            collector_id_number=data["collector_id_number"],
            authorisation_note=data["authorisation_note"],
        )
    except IllegalTransition as exc:
        return _conflict(request, found, exc.reason)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _return_page(request, found, form, status=400)
    messages.success(request, _("Đã trả kết quả hồ sơ %(code)s.") % {"code": found.code})
    return redirect("dossiers:counter_returns")


def default_delivery(dossier: Dossier) -> str:
    """What the return form proposes: the delivery the applicant chose (at reception or when
    filing online); online only for a signed result (`online_return_allowed`), else the
    counter."""
    if dossier.result_delivery == Delivery.ONLINE:
        return Delivery.ONLINE if services.online_return_allowed(dossier) else Delivery.COUNTER
    offered = {value for value, _label in COUNTER_DELIVERIES}
    return dossier.result_delivery if dossier.result_delivery in offered else Delivery.COUNTER


# --- tracking book -----------------------------------------------------------------------------


@staff_required(*COUNTER, Role.LEADER)
@require_GET
def tracking_book(request):
    """Sổ theo dõi hồ sơ (Mẫu 07) of the user's unit for a period: page, PDF or XLSX."""
    form = TrackingBookForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "dossiers/counter/tracking_book.html", {"form": form}, status=400)
    if not request.GET:
        form = TrackingBookForm({})
        form.is_valid()
    start, end = form.period()
    unit_ids = visible_unit_ids(request.user, [*COUNTER, Role.LEADER])
    unit = _book_unit(request.user, unit_ids)
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=LOCAL_TZ)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ)
    rows = list(
        Dossier.objects.filter(
            receiving_unit_id__in=unit_ids, received_at__gte=begin, received_at__lt=finish
        ).order_by("received_at", "id")[:MAX_BOOK_ROWS]
    )
    book = from_dossier.tracking_book(unit, rows, start=start, end=end)
    fmt = form.cleaned_data.get("dinh_dang")
    stem = f"so-theo-doi-{start:%Y%m%d}-{end:%Y%m%d}"
    if fmt == "pdf":
        return _pdf(papers.render_tracking_book_pdf(book), f"{stem}.pdf")
    if fmt == "xlsx":
        response = HttpResponse(
            papers.tracking_book_xlsx(book),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    return render(
        request,
        "dossiers/counter/tracking_book.html",
        {"form": form, "book": book, "start": start, "end": end, "query": request.GET.urlencode()},
    )


def _book_unit(user, unit_ids):
    assignment = (
        StaffAssignment.objects.filter(
            user_id=user.pk, is_active=True, role__in=[*COUNTER, Role.LEADER]
        )
        .select_related("unit")
        .order_by("id")
        .first()
    )
    if assignment is None or not unit_ids:
        raise PermissionDenied
    return assignment.unit
