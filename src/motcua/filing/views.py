"""The citizen's online filing pages under /nop-truc-tuyen/ (thin: parse -> service -> render).

Every page is for the signed-in citizen (`citizen_required`) and, where the procedure asks for
it, a VNeID level-2 account. A draft is looked up with the citizen's own account: anyone else's
draft id is a 404, whatever the URL. Each page offers its own POST actions only; anything else
is a 400 (decisions/0030).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.otp import has_confirmed_device, session_is_verified
from motcua.catalog.models import Procedure
from motcua.citizens import services as citizens
from motcua.citizens.decorators import citizen_required
from motcua.core.files import StoredFileMissing, read_stored
from motcua.core.forms import query_id
from motcua.documents.uploads import Upload, UploadRefused
from motcua.dossiers.models import Delivery, NotifyBy
from motcua.dossiers.notifications import lookup_url
from motcua.dossiers.papers import from_dossier
from motcua.dossiers.papers import render as papers
from motcua.eforms import engine
from motcua.eforms.forms import StepForm

from . import assisted, services, signing
from .models import Draft

FILES_FIELD = "tep"


def filer_required(view):
    """`citizen_required`, or a staff member (second factor entered) who may then reach only
    the draft of an assist session of theirs (`_draft`; decisions/0032)."""
    citizen_view = citizen_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and getattr(user, "is_staff_member", False):
            if has_confirmed_device(user) and not session_is_verified(request):
                return redirect_to_login(request.get_full_path(), "accounts:otp_verify")
            return view(request, *args, **kwargs)
        return citizen_view(request, *args, **kwargs)

    return wrapper


def _helping(request) -> bool:
    return bool(getattr(request.user, "is_staff_member", False))


def _level_refused(request, procedure: Procedure):
    if _helping(request):  # the helper's session: VNeID or the registry confirmed the citizen
        return None
    level = procedure.min_identity_level or 1
    if level <= 1:
        return None
    try:
        citizens.require_level(request.user, level)
    except citizens.LevelTooLow as exc:
        context = {"required": exc.required, "held": exc.held}
        return render(request, "citizens/level_required.html", context, status=403)
    return None


def _draft(request, draft_id: int) -> Draft:
    drafts = Draft.objects.select_related("procedure", "receiving_unit", "schema", "dossier")
    if _helping(request):
        assisted.draft_for(request.user, draft_id)  # PermissionDenied: not in their session
        return get_object_or_404(drafts.select_related("citizen"), pk=draft_id)
    return get_object_or_404(drafts, pk=draft_id, citizen=request.user)


def _closed(request, draft: Draft):
    """The page to show instead when the draft can no longer be edited, else None."""
    if draft.status == Draft.Status.SUBMITTED:
        return redirect("filing:done", draft.pk)
    if draft.status == Draft.Status.EXPIRED or services.is_expired(draft):
        return render(request, "filing/expired.html", {"draft": draft}, status=410)
    return None


def _gate(request, draft_id: int) -> tuple[Draft, HttpResponse | None]:
    draft = _draft(request, draft_id)
    refused = _level_refused(request, draft.procedure)
    if refused is not None:
        return draft, refused
    return draft, _closed(request, draft)


def _has_cases(draft: Draft) -> bool:
    choice, conditions = services.case_choices(draft.procedure, day=timezone.localdate())
    return bool(choice.cases or conditions)


def _progress(draft: Draft, here: str) -> list[dict]:
    """The steps of the whole filing, for the progress list at the top of every page."""
    definition = draft.schema.definition
    shown = engine.visible_steps(definition, services.answers_of(draft))
    titles = {s["key"]: s["title"] for s in definition["steps"]}
    items = [
        {"key": k, "title": titles[k], "url": reverse("filing:step", args=[draft.pk, k])}
        for k in shown
    ]
    if _has_cases(draft):
        items.append(
            {
                "key": "case",
                "title": _("Trường hợp"),
                "url": reverse("filing:case", args=[draft.pk]),
            }
        )
    items += [
        {"key": "papers", "title": _("Giấy tờ"), "url": reverse("filing:papers", args=[draft.pk])},
        {
            "key": "delivery",
            "title": _("Lệ phí, nhận kết quả"),
            "url": reverse("filing:delivery", args=[draft.pk]),
        },
        {
            "key": "review",
            "title": _("Xem lại, nộp"),
            "url": reverse("filing:review", args=[draft.pk]),
        },
    ]
    for i, item in enumerate(items, start=1):
        item["n"] = i
        item["current"] = item["key"] == here
    return items


def _after_form(draft: Draft) -> str:
    if _has_cases(draft):
        return reverse("filing:case", args=[draft.pk])
    return reverse("filing:papers", args=[draft.pk])


# --- pages ---------------------------------------------------------------------------------------


@citizen_required
@never_cache
@require_GET
def home(request):
    """Hồ sơ đang soạn: the citizen's open drafts, on any device they sign in on."""
    drafts = services.open_drafts(request.user)
    return render(request, "filing/home.html", {"drafts": drafts})


@citizen_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request, procedure_id: int):
    procedure = get_object_or_404(Procedure, pk=procedure_id, is_published=True)
    if not services.files_online(procedure):
        raise Http404
    refused = _level_refused(request, procedure)
    if refused is not None:
        return refused
    units = services.units_for(procedure)
    existing = services.open_drafts(request.user).filter(procedure=procedure).first()
    error = ""
    if request.method == "POST":
        unit = None
        chosen = request.POST.get("don-vi", "")
        if chosen:
            if not chosen.isdigit():
                return HttpResponseBadRequest(_("Đơn vị không hợp lệ."))
            unit = next((u for u in units if u.pk == int(chosen)), None)
            if unit is None:
                return HttpResponseBadRequest(_("Đơn vị không hợp lệ."))
        try:
            draft = services.start(citizen=request.user, procedure=procedure, unit=unit)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return (
                redirect("filing:step", draft.pk, draft.step)
                if draft.step
                else redirect("filing:review", draft.pk)
            )
    context = {
        "procedure": procedure,
        "units": units if len(units) > 1 else [],
        "existing": existing,
        "error": error,
        "days": settings.MOTCUA_DRAFT_DAYS,
    }
    return render(request, "filing/start.html", context, status=400 if error else 200)


@filer_required
@never_cache
@require_http_methods(["GET", "POST"])
def step(request, draft_id: int, key: str):
    draft, stop = _gate(request, draft_id)
    if stop is not None:
        return stop
    definition = draft.schema.definition
    shown = engine.visible_steps(definition, services.answers_of(draft))
    if key not in shown:
        raise Http404
    form = StepForm(
        definition,
        key,
        prefilled=draft.prefilled,
        answers=draft.answers,
        data=request.POST if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                draft, errors = services.save_step(
                    draft_id=draft.pk, citizen=request.user, step=key, values=form.step_answers()
                )
            except services.DraftClosed:
                return _closed(request, _draft(request, draft_id))
            if not errors:
                if draft.step:
                    return redirect("filing:step", draft.pk, draft.step)
                return redirect(_after_form(draft))
            for name, messages in errors.items():
                for message in messages:
                    form.add_error(name if name in form.fields else None, message)
        status = 400
    index = shown.index(key)
    context = {
        "draft": draft,
        "form": form,
        "progress": _progress(draft, key),
        "previous": reverse("filing:step", args=[draft.pk, shown[index - 1]]) if index else "",
    }
    return render(request, "filing/step.html", context, status=status)


@filer_required
@never_cache
@require_http_methods(["GET", "POST"])
def case(request, draft_id: int):
    draft, stop = _gate(request, draft_id)
    if stop is not None:
        return stop
    choice, conditions = services.case_choices(draft.procedure, day=timezone.localdate())
    if not (choice.cases or conditions):
        return redirect("filing:papers", draft.pk)
    error = ""
    if request.method == "POST":
        try:
            services.choose_case(
                draft_id=draft.pk,
                citizen=request.user,
                case=request.POST.get("truong-hop", ""),
                conditions=request.POST.getlist("dieu-kien"),
            )
        except services.DraftClosed:
            return _closed(request, _draft(request, draft_id))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("filing:papers", draft.pk)
    context = {
        "draft": draft,
        "choice": choice,
        "conditions": conditions,
        "error": error,
        "progress": _progress(draft, "case"),
    }
    return render(request, "filing/case.html", context, status=400 if error else 200)


@filer_required
@never_cache
@require_http_methods(["GET", "POST"])
def papers_page(request, draft_id: int):
    draft, stop = _gate(request, draft_id)
    if stop is not None:
        return stop
    error, error_for = "", None
    if request.method == "POST":
        action = request.POST.get("action", "")
        component_id = query_id(request.POST, "thanh-phan")
        try:
            if action == "upload" and component_id:
                files = request.FILES.getlist(FILES_FIELD)
                too_big = [f for f in files if f.size > settings.MOTCUA_UPLOAD_MAX_BYTES]
                if too_big:
                    raise UploadRefused(
                        _("Tệp «%(name)s» lớn quá %(mb)s MB.")
                        % {
                            "name": too_big[0].name,
                            "mb": settings.MOTCUA_UPLOAD_MAX_BYTES // (1024 * 1024),
                        },
                        "too_big",
                    )
                uploads = [Upload(f.name or "tep", f.read()) for f in files]
                services.attach_paper(
                    draft_id=draft.pk,
                    citizen=request.user,
                    component_id=component_id,
                    files=uploads,
                )
            elif action == "reuse" and component_id:
                # "giay-to-cu": an earlier paper's id, or "kq-<id>" for a result issued to them
                chosen = request.POST.get("giay-to-cu", "")
                is_result = chosen.startswith("kq-")
                earlier = query_id({"id": chosen[3:] if is_result else chosen}, "id")
                if not earlier:
                    raise ValidationError(_("Vui lòng chọn giấy tờ đã có."))
                services.reuse_paper(
                    draft_id=draft.pk,
                    citizen=request.user,
                    component_id=component_id,
                    earlier_id=None if is_result else earlier,
                    result_id=earlier if is_result else None,
                )
            elif action == "remove":
                paper_id = query_id(request.POST, "giay-to")
                if not paper_id or not draft.papers.filter(pk=paper_id).exists():
                    return HttpResponseBadRequest(_("Yêu cầu không hợp lệ."))
                services.remove_paper(draft_id=draft.pk, citizen=request.user, paper_id=paper_id)
            else:
                return HttpResponseBadRequest(_("Yêu cầu không hợp lệ."))
        except services.DraftClosed:
            return _closed(request, _draft(request, draft_id))
        except UploadRefused as exc:
            error, error_for = exc.message, component_id
        except ValidationError as exc:
            error, error_for = " ".join(exc.messages), component_id
        else:
            return redirect(reverse("filing:papers", args=[draft.pk]) + f"#tp-{component_id or ''}")
    attached = {p.component_id: p for p in draft.papers.select_related("reused_from__dossier")}
    rows = [
        {
            "component": c,
            "paper": attached.get(c.pk),
            "results": services.reusable_results(draft, c)[:5],
            "earlier": list(services.reusable(draft, c)[:5]),
            "error": error if error_for == c.pk else "",
        }
        for c in services.papers_for(draft)
    ]
    context = {
        "draft": draft,
        "rows": rows,
        "error": error if error_for not in {r["component"].pk for r in rows} else "",
        "progress": _progress(draft, "papers"),
        "max_mb": settings.MOTCUA_UPLOAD_MAX_BYTES // (1024 * 1024),
        "max_pages": settings.MOTCUA_UPLOAD_MAX_PAGES,
    }
    return render(request, "filing/papers.html", context, status=400 if error else 200)


@filer_required
@never_cache
@require_GET
def paper_file(request, draft_id: int, paper_id: int):
    """The PDF kept for one uploaded paper of the citizen's own draft."""
    draft = _draft(request, draft_id)
    paper = get_object_or_404(draft.papers, pk=paper_id)
    source = paper.source
    if not source:
        raise Http404
    try:
        body = read_stored(source)
    except StoredFileMissing:
        raise Http404 from None
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-to-{paper.pk}.pdf"'
    return response


@filer_required
@never_cache
@require_http_methods(["GET", "POST"])
def delivery(request, draft_id: int):
    draft, stop = _gate(request, draft_id)
    if stop is not None:
        return stop
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.choose_delivery(
                draft_id=draft.pk,
                citizen=request.user,
                delivery=request.POST.get("nhan-ket-qua", ""),
                phone=request.POST.get("dien-thoai", ""),
                notify_by=request.POST.get("thong-bao", ""),
                email=request.POST.get("thu-dien-tu", ""),
                push_endpoint=request.POST.get("push-endpoint", ""),
                postal_address=request.POST.get("dia-chi-buu-chinh", ""),
            )
        except services.DraftClosed:
            return _closed(request, _draft(request, draft_id))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            else:
                errors = {"delivery": " ".join(exc.messages)}
        else:
            return redirect("filing:review", draft.pk)
    rows, total, unknown = services.fees_owed(draft, day=timezone.localdate())
    posted = request.POST if errors else None
    context = {
        "draft": draft,
        "fees": rows,
        "total": total,
        "unknown": unknown,
        "deliveries": [(d, Delivery(d).label) for d in services.DELIVERIES],
        "channels": [
            (NotifyBy.SMS, _("Tin nhắn SMS vào số điện thoại của bạn")),
            (NotifyBy.EMAIL, _("Thư điện tử")),
            (NotifyBy.PUSH, _("Thông báo trên điện thoại này (không tốn phí)")),
        ],
        "chosen": posted.get("nhan-ket-qua") if posted else draft.result_delivery,
        "channel": posted.get("thong-bao", "") if posted else draft.notify_by,
        "phone": posted.get("dien-thoai", "") if posted else draft.phone,
        "email": posted.get("thu-dien-tu", "") if posted else draft.email,
        "postal_address": posted.get("dia-chi-buu-chinh", "") if posted else draft.postal_address,
        "push_on": bool(draft.push_subscription_id),
        "errors": errors,
        "error": " ".join(errors.values()),
        "progress": _progress(draft, "delivery"),
    }
    return render(request, "filing/delivery.html", context, status=400 if errors else 200)


def _review_context(draft: Draft, problems: dict) -> dict:
    definition = draft.schema.definition
    answers = engine.clean(definition, services.answers_of(draft))
    _rows, total, unknown = services.fees_owed(draft, day=timezone.localdate())
    attached = {p.component_id: p for p in draft.papers.all()}
    return {
        "draft": draft,
        "filled": engine.filled_steps(definition, answers),
        "papers": [(c, attached.get(c.pk)) for c in services.papers_for(draft)],
        "total": total,
        "unknown": unknown,
        "delivery_label": Delivery(draft.result_delivery).label if draft.result_delivery else "",
        "notify_label": (
            NotifyBy(draft.notify_by).label if draft.notify_by in NotifyBy.values else ""
        ),
        "problems": problems,
        "progress": _progress(draft, "review"),
        "signature": signing.status_of(draft),  # the citizen's own (decisions/0038)
    }


@filer_required
@never_cache
@require_GET
def review(request, draft_id: int):
    draft, stop = _gate(request, draft_id)
    if stop is not None:
        return stop
    return render(request, "filing/review.html", _review_context(draft, services.problems(draft)))


@filer_required
@never_cache
@require_POST
def submit(request, draft_id: int):
    draft = _draft(request, draft_id)
    refused = _level_refused(request, draft.procedure)
    if refused is not None:
        return refused
    try:
        services.submit(draft_id=draft.pk, citizen=request.user)
    except services.DraftClosed:
        return _closed(request, _draft(request, draft_id))
    except ValidationError:
        draft = _draft(request, draft_id)
        context = _review_context(draft, services.problems(draft))
        return render(request, "filing/review.html", context, status=400)
    return redirect("filing:done", draft.pk)


@filer_required
@never_cache
@require_GET
def done(request, draft_id: int):
    """The electronic receipt: the dossier's code, its tracking link and QR."""
    draft = _draft(request, draft_id)
    if draft.status != Draft.Status.SUBMITTED or draft.dossier is None:
        raise Http404
    dossier = draft.dossier
    url = lookup_url(dossier.code)
    context = {
        "draft": draft,
        "dossier": dossier,
        "tracking_url": url,
        "qr": papers.qr_png_data_uri(url),
        "received": dossier.received_at is not None,
    }
    return render(request, "filing/done.html", context)


@filer_required
@never_cache
@require_GET
def receipt_pdf(request, draft_id: int):
    """Mẫu 01 (giấy tiếp nhận hồ sơ và hẹn trả kết quả), once an officer has accepted it."""
    draft = _draft(request, draft_id)
    if draft.dossier is None:
        raise Http404
    paper = from_dossier.receipt(draft.dossier, lookup_url=lookup_url(draft.dossier.code))
    if paper is None:
        raise Http404
    response = HttpResponse(papers.render_receipt(paper), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-{draft.dossier.code}.pdf"'
    return response
