"""Worklists and the dossier page, where specialists process and leaders approve and sign.

Thin views: parse a form, call one service (or the approve-and-sign sequence below), render.
Another unit's dossier is a 404 (selectors.get_for_staff). An action the state machine or an
invariant forbids answers 409 with the Vietnamese reason on the page; bad input answers 400
with the field's message. Every action form carries the version the page showed: a second
click of the same button finds the dossier changed and is reported as already done.
"""

from __future__ import annotations

import datetime as dt

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.accounts.scoping import has_role, roles_of, visible_unit_ids
from motcua.core.calendar import LOCAL_TZ
from motcua.core.files import open_stored
from motcua.core.models import Unit

from . import deadlines, defect_views, file_links, selectors, services, workflow
from . import worklist_forms as f
from .models import (
    Dossier,
    DossierStep,
    Extension,
    Status,
    Timeliness,
)
from .workflow import IllegalTransition, InvariantBroken

PAGE_SIZE = 25
R = Role
ALL_STAFF = (R.COUNTER_OFFICER, R.SPECIALIST, R.LEADER, R.MANAGER)
ASSIGNERS = (R.MANAGER, R.LEADER)
COUNTER_ROLES = (R.COUNTER_OFFICER, R.MANAGER)  # who may open the counter's dossier page

# tab key -> (label, roles that see it (None: everyone), selector)
TABS = {
    "mine": (gettext_lazy("Của tôi"), None, selectors.mine),
    "due_soon": (gettext_lazy("Sắp đến hạn"), None, selectors.due_soon),
    "overdue": (gettext_lazy("Quá hạn"), None, selectors.overdue),
    "awaiting_supplement": (gettext_lazy("Chờ bổ sung"), None, selectors.awaiting_supplement),
    "awaiting_signature": (gettext_lazy("Chờ ký"), {R.LEADER}, selectors.awaiting_signature),
    "awaiting_reception": (
        gettext_lazy("Chờ tiếp nhận"),
        {R.COUNTER_OFFICER, R.MANAGER, R.LEADER},
        selectors.awaiting_reception,
    ),
    "at_risk": (gettext_lazy("Có nguy cơ trễ"), None, selectors.at_risk),
    "violations": (gettext_lazy("Vi phạm"), {R.MANAGER, R.LEADER}, None),
    "all": (gettext_lazy("Tất cả"), None, selectors.for_staff),
}
EMPTY_TEXT = {
    "mine": gettext_lazy("Bạn không có hồ sơ nào đang chờ xử lý."),
    "due_soon": gettext_lazy("Không có hồ sơ nào đến hạn trong 1 ngày làm việc tới."),
    "overdue": gettext_lazy("Không có hồ sơ quá hạn. Hãy giữ như vậy!"),
    "awaiting_supplement": gettext_lazy("Không có hồ sơ nào đang chờ công dân bổ sung."),
    "awaiting_signature": gettext_lazy("Không có hồ sơ nào chờ lãnh đạo phê duyệt, ký."),
    "awaiting_reception": gettext_lazy("Không có hồ sơ trực tuyến hay liên thông chờ tiếp nhận."),
    "at_risk": gettext_lazy("Không có hồ sơ nào có nguy cơ trễ hạn."),
    "violations": gettext_lazy("Không có vi phạm nào được ghi nhận."),
    "all": gettext_lazy("Không có hồ sơ nào."),
}


_CLOCKED_TABS = frozenset({"due_soon", "overdue", "at_risk"})  # selectors that take `now`
_WARNED_TABS = frozenset({"due_soon", "at_risk"})  # and the warnings read for the badges


def _visible_tabs(user) -> list[str]:
    roles = roles_of(user)
    return [k for k, (_l, allowed, _s) in TABS.items() if allowed is None or roles & allowed]


# --- deadline badge ------------------------------------------------------------------------------


def deadline_badge(dossier: Dossier, now: dt.datetime) -> tuple[str, str]:
    """(css class, Vietnamese label): early / on time / late once finished, else how it stands
    by `deadlines.assess` (the rule of the "due soon" and "at risk" tabs and the job's flags);
    `dossier` carries `selectors.with_deadline_facts`."""
    if dossier.timeliness:
        return dossier.timeliness, str(Timeliness(dossier.timeliness).label)
    if dossier.status == Status.SUBMITTED:  # online, awaiting reception: its own clock
        warning = deadlines.assess_row(dossier, now)
        dossier.waited_hours = warning.waited_hours
        if warning.overdue:
            return "late", _("Quá hạn tiếp nhận")
        if warning.due_soon:
            return "soon", _("Sắp quá hạn tiếp nhận")
        return "on_time", _("Chờ tiếp nhận")
    if dossier.status in workflow.TERMINAL or dossier.due_at_current is None:
        return "none", ""
    if dossier.status == Status.AWAITING_SUPPLEMENT:
        return "paused", _("Tạm dừng chờ bổ sung")
    warning = deadlines.assess_row(dossier, now)
    if warning.overdue:
        return "late", _("Quá hạn")
    if warning.at_risk:
        if warning.about == "step":
            return "risk", _("Có nguy cơ trễ: bước xử lý quá hạn")
        return "risk", _("Có nguy cơ trễ")
    if warning.due_soon:
        if warning.about == "step":
            return "soon", _("Bước xử lý sắp đến hạn")
        return "soon", _("Sắp đến hạn")
    return "on_time", _("Trong hạn")


def _with_row_facts(qs):
    """The current open step and its holder, and the deadline facts, in the same query."""
    open_steps = DossierStep.objects.filter(
        dossier=OuterRef("pk"), finished_at__isnull=True
    ).order_by("order")
    return selectors.with_deadline_facts(qs).annotate(
        step_name=Subquery(open_steps.values("name")[:1]),
        step_assignee=Subquery(open_steps.values("assignee__full_name")[:1]),
    )


# --- worklists -----------------------------------------------------------------------------------


@require_GET
@staff_required(*ALL_STAFF)
def worklist(request):
    user = request.user
    tabs = _visible_tabs(user)
    tab = request.GET.get("tab") or "mine"
    if tab not in tabs:
        raise Http404
    now = deadlines.current_time()
    found = selectors.deadline_warnings(user, now=now)  # the badges and the two tabs share it
    counts = selectors.worklist_counts(user, now=now, found=found)
    if "violations" in tabs:
        counts["violations"] = selectors.violations(user).count()
    tab_links = [
        {"key": k, "label": TABS[k][0], "count": counts.get(k), "current": k == tab} for k in tabs
    ]
    context = {"tab": tab, "tabs": tab_links, "empty_text": EMPTY_TEXT[tab]}
    if tab == "violations":
        page = Paginator(selectors.violations(user), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "dossiers/worklist/list.html", {**context, "page": page})

    procedures = (
        selectors.for_staff(user)
        .order_by("procedure_code")
        .values_list("procedure_code", "procedure_name")
        .distinct()[:300]
    )
    form = f.WorklistFilterForm(
        request.GET if _filtering(request) else None, procedures=list(procedures)
    )
    selector = TABS[tab][2]
    if tab in _WARNED_TABS:
        qs = selector(user, now=now, found=found)
    elif tab in _CLOCKED_TABS:
        qs = selector(user, now=now)
    else:
        qs = selector(user)
    sort = "due"
    if form.is_bound:
        if form.is_valid():
            qs, sort = _filter(qs, form.cleaned_data)
        else:
            qs = qs.none()
    order = ("due_at_current", "id") if sort == "due" else ("-due_at_current", "-id")
    if tab == "awaiting_reception" and sort == "due":
        order = ("submitted_at", "id")  # the longest waiting first: no due date yet
    qs = _with_row_facts(qs).order_by(*order)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for d in page.object_list:
        d.badge_class, d.badge_label = deadline_badge(d, now)
    can_assign = has_role(user, *ASSIGNERS)
    bulk_form = None
    if can_assign:
        staff = f.assignable_staff(visible_unit_ids(user, ASSIGNERS))
        bulk_form = f.BulkAssignForm(staff=staff)
    context.update(
        reception=selectors.reception_summary(counts),
        reception_hours=settings.MOTCUA_ONLINE_RECEPTION_HOURS,
        can_receive=has_role(user, *COUNTER_ROLES),
        page=page,
        form=form,
        bulk_form=bulk_form,
        can_assign=can_assign,
        next=request.get_full_path(),
    )
    return render(request, "dossiers/worklist/list.html", context)


def _filtering(request) -> bool:
    return any(
        request.GET.get(k)
        for k in ("q", "procedure", "status", "channel", "date_from", "date_to", "sort")
    )


def _filter(qs, data):
    if data.get("procedure"):
        qs = qs.filter(procedure_code=data["procedure"])
    if data.get("status") is not None:
        qs = qs.filter(status=data["status"])
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    lo, hi = f.WorklistFilterForm.local_bounds(data.get("date_from"), data.get("date_to"))
    if lo:
        qs = qs.filter(submitted_at__gte=lo)
    if hi:
        qs = qs.filter(submitted_at__lt=hi)
    qs = selectors.search(qs, data.get("q") or "")
    return qs, data.get("sort") or "due"


@require_POST
@staff_required(*ASSIGNERS)
def worklist_bulk_assign(request):
    """Phân công hàng loạt: each selected dossier's open step to one staff member of the unit."""
    user = request.user
    back = _safe_next(request, reverse("dossiers:worklist"))
    units = visible_unit_ids(user, ASSIGNERS)
    visible = selectors.for_staff(user, ASSIGNERS).filter(competent_unit_id__in=units)
    wanted = [v for v in request.POST.getlist("dossiers") if v.isdigit()][: PAGE_SIZE * 4]
    ids = list(visible.filter(pk__in=wanted).values_list("pk", flat=True))
    form = f.BulkAssignForm(request.POST, staff=f.assignable_staff(units), dossier_ids=ids)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(back)
    assignee = form.cleaned_data["assignee"]
    done, failed = [], []
    for dossier in visible.filter(pk__in=form.cleaned_data["dossiers"]).order_by("code"):
        try:
            services.assign_step(user, dossier_id=dossier.pk, assignee=assignee)
            done.append(dossier.code)
        except IllegalTransition as exc:
            failed.append(f"{dossier.code}: {exc.reason}")
        except ValidationError as exc:
            failed.append(f"{dossier.code}: {' '.join(exc.messages)}")
        except PermissionDenied:
            failed.append(f"{dossier.code}: {_('Bạn không có quyền phân công hồ sơ này.')}")
    name = assignee.full_name or assignee.username
    if done:
        messages.success(
            request,
            _("Đã giao %(n)s hồ sơ cho %(name)s.") % {"n": len(done), "name": name},
        )
    for line in failed:
        messages.error(request, _("Không phân công được %(line)s") % {"line": line})
    return HttpResponseRedirect(back)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    return target if target.startswith("/can-bo/ho-so/") else default


# --- the dossier page ----------------------------------------------------------------------------

# UI action -> workflow action. Who may run each is `workflow.PERMITS`, enforced by the
# services; the buttons are what `workflow.actions_for` allows, so they never disagree.
ACTIONS = {
    "start_processing": "start_processing",
    "assign": "assign_step",
    "finish_step": "finish_step",
    "request_supplement": "request_supplement",
    "request_financial_obligation": "request_financial_obligation",
    "confirm_payment": "confirm_payment",
    "submit_for_approval": "submit_for_approval",
    "send_back": "send_back",
    "approve_sign": "approve",
    "attach_result": services.ATTACH_RESULT,
    "mark_result_ready": "mark_result_ready",
    "extend": "extend",
    "stop": "stop",
    "transfer": "transfer",
    "acknowledge_transfer": "acknowledge_transfer",
}


def available_actions(user, dossier: Dossier) -> list[str]:
    """The buttons this user gets now: the workflow's tables (status and who may), nothing else."""
    offered = set(workflow.actions_for(user, dossier))
    if services.may_attach_result(user, dossier):
        offered.add(services.ATTACH_RESULT)
    return [key for key, action in ACTIONS.items() if action in offered]


def _transfer_units(dossier: Dossier):
    """Communes of the same province (liên thông within the province), active, not this one."""
    parent = dossier.competent_unit.parent_id
    qs = Unit.objects.filter(is_active=True).exclude(pk=dossier.competent_unit_id)
    return qs.filter(parent_id=parent).order_by("name") if parent else qs.none()


def _forms_for(dossier: Dossier, actions: list[str], user, bound: dict | None = None) -> dict:
    v = {"version": dossier.version}
    staff = (
        f.assignable_staff([dossier.competent_unit_id])
        if {"assign", "start_processing"} & set(actions)
        else []
    )
    builders = {
        "start_processing": lambda: f.AssignForm(initial=v, staff=staff),
        "assign": lambda: f.AssignForm(initial=v, staff=staff),
        "finish_step": lambda: f.NoteForm(initial=v),
        "request_supplement": lambda: f.SupplementForm(initial=v),
        "request_financial_obligation": lambda: f.FinancialObligationForm(initial=v),
        "confirm_payment": lambda: f.PaymentForm(initial=v),
        "submit_for_approval": lambda: f.NoteForm(initial=v),
        "send_back": lambda: f.ReasonForm(initial=v),
        "approve_sign": lambda: f.ApproveSignForm(initial=v, needs_pin=_needs_pin()),
        "attach_result": lambda: f.ResultUploadForm(initial=v),
        "mark_result_ready": lambda: f.VersionedForm(initial=v),
        "extend": lambda: f.ExtendForm(initial=v),
        "stop": lambda: f.StopForm(initial=v),
        "transfer": lambda: f.TransferForm(initial=v, units=_transfer_units(dossier)),
        "acknowledge_transfer": lambda: f.VersionedForm(initial=v),
    }
    forms = {key: builders[key]() for key in actions}
    if bound:
        forms.update(bound)
    return forms


def _page_context(request, dossier: Dossier, **extra) -> dict:
    user = request.user
    dossier = _with_row_facts(Dossier.objects.filter(pk=dossier.pk)).select_related(
        "procedure", "receiving_unit", "competent_unit"
    )[0]
    dossier.badge_class, dossier.badge_label = deadline_badge(dossier, deadlines.current_time())
    actions = available_actions(user, dossier)
    steps = list(selectors.steps(dossier))
    current = next((s for s in steps if s.finished_at is None), None)
    return {
        "d": dossier,
        "steps": steps,
        "current_step": current,
        "events": [_labelled(e) for e in selectors.timeline(dossier)],
        "supplements": dossier.supplements.all(),
        "extensions": dossier.extensions.select_related("created_by"),
        "violations": dossier.violations.all(),
        "documents": file_links.attach_links(
            user, dossier.pk, file_links.DOCUMENT, dossier.documents.select_related("created_by")
        ),
        "components": file_links.attach_links(
            user, dossier.pk, file_links.COMPONENT, dossier.components.all()
        ),
        "may_scan": services.may_scan(user, dossier),
        "unsigned_result": services.unsigned_result(dossier),
        "filing": selectors.online_filing(dossier),
        "signed_documents": _signed_documents(dossier),
        "digitization": defect_views.dossier_context(user, dossier),
        "actions": actions,
        "action_forms": [
            {
                "key": key,
                "title": ACTION_TITLES[key],
                "form": form,
                "multipart": key in ("attach_result", "stop"),
                "primary": key in PRIMARY_ACTIONS,
            }
            for key, form in _forms_for(
                dossier, actions, user, extra.pop("bound_forms", None)
            ).items()
        ],
        **extra,
    }


def _labelled(event):
    event.label = workflow.ACTION_LABELS.get(event.action, event.action)
    return event


def _signed_documents(dossier: Dossier):
    from motcua.documents.models import SignedDocument

    return SignedDocument.objects.filter(
        object_type="dossiers.dossier", object_id=str(dossier.pk)
    ).order_by("-signed_at")


PRIMARY_ACTIONS = frozenset(
    {"finish_step", "submit_for_approval", "approve_sign", "mark_result_ready", "start_processing"}
)
ACTION_TITLES = {
    "start_processing": gettext_lazy("Chuyển xử lý"),
    "assign": gettext_lazy("Phân công xử lý bước hiện tại"),
    "finish_step": gettext_lazy("Hoàn thành bước xử lý"),
    "request_supplement": gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    "request_financial_obligation": gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính"),
    "confirm_payment": gettext_lazy("Xác nhận đã thực hiện nghĩa vụ tài chính"),
    "submit_for_approval": gettext_lazy("Trình lãnh đạo phê duyệt"),
    "send_back": gettext_lazy("Trả lại để xử lý lại"),
    "approve_sign": gettext_lazy("Phê duyệt và ký số"),
    "attach_result": gettext_lazy("Đính kèm văn bản kết quả"),
    "mark_result_ready": gettext_lazy("Có kết quả, chuyển Bộ phận Một cửa"),
    "extend": gettext_lazy("Xin lỗi và gia hạn"),
    "stop": gettext_lazy("Dừng giải quyết"),
    "transfer": gettext_lazy("Chuyển liên thông"),
    "acknowledge_transfer": gettext_lazy("Xác nhận nhận hồ sơ liên thông"),
}


@require_GET
@staff_required(*ALL_STAFF)
def dossier_detail(request, pk):
    dossier = selectors.get_for_staff(request.user, pk)
    return render(request, "dossiers/worklist/detail.html", _page_context(request, dossier))


@require_GET
@staff_required(*ALL_STAFF)
def dossier_document(request, pk, doc_pk):
    """A paper of a dossier the user may see (same 404 for missing and foreign)."""
    dossier = selectors.get_for_staff(request.user, pk)
    document = dossier.documents.filter(pk=doc_pk).exclude(file="").first()
    if document is None:
        raise Http404
    name = f"{dossier.code}-{document.kind}.pdf"
    return FileResponse(open_stored(document.file), filename=name, content_type="application/pdf")


_FILE_PAGE = "dossiers/worklist/file_unavailable.html"
_NO_STORE = "no-store, private"


def _file_refused(request, pk, *, status: int, title: str, text: str):
    response = render(
        request, _FILE_PAGE, {"title": title, "text": text, "dossier_pk": pk}, status=status
    )
    response["Cache-Control"] = _NO_STORE
    return response


@require_GET
@staff_required(*ALL_STAFF)
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def dossier_file(request, pk, token):
    """A component scan or dossier paper through its signed link (file_links): inline, never
    cached, only for the person the link was made for and only while they may see the dossier.
    """
    try:
        ref = file_links.read_token(token)
    except file_links.LinkRefused as exc:
        if exc.expired:
            return _file_refused(
                request,
                pk,
                status=403,
                title=_("Liên kết xem tệp đã hết hạn"),
                text=_(
                    "Liên kết xem tệp chỉ dùng được trong %(minutes)s phút. "
                    "Hãy mở lại trang hồ sơ để lấy liên kết mới."
                )
                % {"minutes": max(1, file_links.max_age() // 60)},
            )
        return _file_refused(
            request,
            pk,
            status=403,
            title=_("Liên kết xem tệp không hợp lệ"),
            text=_("Liên kết đã bị sửa hoặc không đầy đủ. Hãy mở tệp từ trang hồ sơ."),
        )
    if ref.user_id != request.user.pk or ref.dossier_id != pk:
        return _file_refused(
            request,
            pk,
            status=403,
            title=_("Liên kết này không dành cho bạn"),
            text=_(
                "Mỗi liên kết xem tệp chỉ dùng được cho người đã mở nó từ trang hồ sơ. "
                "Nếu bạn được giao xử lý hồ sơ, hãy mở tệp từ trang hồ sơ của mình."
            ),
        )
    try:
        _dossier, row = selectors.stored_file_for_staff(
            request.user, dossier_id=pk, owner=ref.owner, owner_id=ref.owner_id, name=ref.name
        )
    except Http404:
        return _file_refused(
            request,
            pk,
            status=404,
            title=_("Không tìm thấy tệp"),
            text=_(
                "Hồ sơ hoặc tệp này không tồn tại, đã được thay, hoặc bạn không còn được xem "
                "hồ sơ này."
            ),
        )
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        return _file_refused(
            request,
            pk,
            status=404,
            title=_("Tệp đã lưu không còn trên máy chủ"),
            text=_(
                "Hồ sơ ghi nhận có tệp này nhưng không đọc được tệp trong kho lưu trữ. "
                "Hãy báo quản trị hệ thống để khôi phục từ bản sao lưu; bản giấy vẫn lưu "
                "tại Bộ phận Một cửa."
            ),
        )
    head = handle.read(16)
    handle.seek(0)
    content_type = file_links.sniff(head)
    name = row.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=name,
    )
    response["Cache-Control"] = _NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@staff_required(*ALL_STAFF)
def dossier_apology_letter(request, pk, ext_pk):
    dossier = selectors.get_for_staff(request.user, pk)
    extension = Extension.objects.filter(dossier=dossier, pk=ext_pk).exclude(letter_file="").first()
    if extension is None:
        raise Http404
    name = f"{dossier.code}-xin-loi.pdf"
    return FileResponse(
        open_stored(extension.letter_file), filename=name, content_type="application/pdf"
    )


class _Rejected(Exception):
    """Bad input for an action: the bound form goes back to the page with status 400."""

    def __init__(self, key: str, form):
        self.key, self.form = key, form


@require_POST
@staff_required(*ALL_STAFF)
def dossier_action(request, pk, action):
    dossier = selectors.get_for_staff(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    url = reverse("dossiers:dossier_detail", args=[dossier.pk])
    try:
        message = _HANDLERS[action](request, dossier)
    except _Rejected as exc:
        if action == "approve_sign":
            return _sign_confirm_page(request, dossier, exc.form, status=400)
        context = _page_context(
            request,
            dossier,
            bound_forms={exc.key: exc.form},
            open_action=exc.key,
            error=_("Thông tin chưa hợp lệ, vui lòng kiểm tra lại."),
        )
        return render(request, "dossiers/worklist/detail.html", context, status=400)
    except IllegalTransition as exc:
        if _already_done(request, dossier, action):
            messages.info(request, _("Thao tác này đã được ghi nhận trước đó."))
            return HttpResponseRedirect(url)
        context = _page_context(request, dossier, error=exc.reason, open_action=action)
        return render(request, "dossiers/worklist/detail.html", context, status=409)
    except ValidationError as exc:
        if action == "approve_sign":
            form = f.ApproveSignForm(request.POST, needs_pin=_needs_pin())
            form.is_valid()
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return _sign_confirm_page(request, dossier, form, status=400)
        context = _page_context(request, dossier, error=" ".join(exc.messages), open_action=action)
        return render(request, "dossiers/worklist/detail.html", context, status=400)
    except PermissionDenied as exc:
        reason = str(exc) or _("Bạn không có quyền thực hiện thao tác này với hồ sơ.")
        context = _page_context(request, dossier, error=reason)
        return render(request, "dossiers/worklist/detail.html", context, status=403)
    messages.success(request, message)
    return HttpResponseRedirect(url)


def _already_done(request, dossier: Dossier, action: str) -> bool:
    """A double click: every change since the version the form showed was made by this user
    and one of them is this very action, so the second submit is answered "done"."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return False
    current = Dossier.objects.values_list("version", flat=True).get(pk=dossier.pk)
    since = current - version
    if since <= 0 or since > 5:
        return False
    recent = list(dossier.events.order_by("-id").values_list("action", "actor_id")[:since])
    wanted = ACTIONS[action]
    return all(actor == request.user.pk for _a, actor in recent) and any(
        a == wanted for a, _u in recent
    )


def _bind(request, key, form_class, **kwargs):
    form = form_class(request.POST, request.FILES or None, **kwargs)
    if not form.is_valid():
        raise _Rejected(key, form)
    return form


# --- handlers: one per action, each calls the service and returns the success message ---------


def _h_start_processing(request, d):
    form = f.AssignForm(request.POST, staff=f.assignable_staff([d.competent_unit_id]))
    assignee = form.cleaned_data["assignee"] if form.is_valid() else None
    services.start_processing(
        request.user,
        dossier_id=d.pk,
        assignee=assignee,
        expected_version=_version(form.data.get("version")),
    )
    return _("Đã chuyển hồ sơ sang xử lý.")


def _version(raw) -> int | None:
    """The version the page showed (None if the form had none): every verb gets it as
    `expected_version`, so a stale form is refused under the dossier's row lock."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _h_assign(request, d):
    form = _bind(request, "assign", f.AssignForm, staff=f.assignable_staff([d.competent_unit_id]))
    person = form.cleaned_data["assignee"]
    services.assign_step(
        request.user,
        dossier_id=d.pk,
        assignee=person,
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã giao bước xử lý cho %(name)s.") % {"name": person.full_name or person.username}


def _h_finish_step(request, d):
    form = _bind(request, "finish_step", f.NoteForm)
    services.finish_step(
        request.user,
        dossier_id=d.pk,
        note=form.cleaned_data["note"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã hoàn thành bước xử lý.")


def _h_request_supplement(request, d):
    form = _bind(request, "request_supplement", f.SupplementForm)
    services.request_supplement(
        request.user,
        dossier_id=d.pk,
        items=form.cleaned_data["items"],
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã gửi yêu cầu bổ sung; thời hạn giải quyết tạm dừng.")


def _h_request_financial_obligation(request, d):
    form = _bind(request, "request_financial_obligation", f.FinancialObligationForm)
    services.request_financial_obligation(
        request.user,
        dossier_id=d.pk,
        amount_vnd=form.cleaned_data["amount_vnd"],
        note=form.cleaned_data["note"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã yêu cầu thực hiện nghĩa vụ tài chính.")


def _h_confirm_payment(request, d):
    form = _bind(request, "confirm_payment", f.PaymentForm)
    services.confirm_payment(
        request.user,
        dossier_id=d.pk,
        paid_online=form.cleaned_data["paid_online"],
        reference=form.cleaned_data["reference"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã xác nhận hoàn thành nghĩa vụ tài chính; hồ sơ tiếp tục được xử lý.")


def _h_submit_for_approval(request, d):
    form = _bind(request, "submit_for_approval", f.NoteForm)
    services.submit_for_approval(
        request.user,
        dossier_id=d.pk,
        note=form.cleaned_data["note"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã trình lãnh đạo phê duyệt.")


def _h_send_back(request, d):
    form = _bind(request, "send_back", f.ReasonForm)
    services.send_back(
        request.user,
        dossier_id=d.pk,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã trả lại hồ sơ để xử lý lại.")


def _h_attach_result(request, d):
    form = _bind(request, "attach_result", f.ResultUploadForm)
    services.attach_draft_result(
        request.user,
        dossier_id=d.pk,
        pdf_bytes=form.pdf_bytes,
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã đính kèm văn bản kết quả.")


def _h_mark_result_ready(request, d):
    form = _bind(request, "mark_result_ready", f.VersionedForm)
    services.mark_result_ready(
        request.user, dossier_id=d.pk, expected_version=form.cleaned_data["version"]
    )
    return _("Hồ sơ đã có kết quả, chờ trả cho công dân.")


def _h_stop(request, d):
    form = _bind(request, "stop", f.StopForm)
    services.stop_with_letter(
        request.user,
        dossier_id=d.pk,
        reason=form.cleaned_data["reason"],
        letter=form.pdf_bytes,
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã dừng giải quyết hồ sơ.")


def _h_transfer(request, d):
    form = _bind(request, "transfer", f.TransferForm, units=_transfer_units(d))
    unit = form.cleaned_data["to_unit"]
    services.transfer_to_unit(
        request.user,
        dossier_id=d.pk,
        to_unit=unit,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Đã chuyển liên thông hồ sơ đến %(unit)s.") % {"unit": unit.name}


def _h_acknowledge_transfer(request, d):
    form = _bind(request, "acknowledge_transfer", f.VersionedForm)
    services.acknowledge_transfer(
        request.user, dossier_id=d.pk, expected_version=form.cleaned_data["version"]
    )
    return _("Đã xác nhận nhận hồ sơ liên thông.")


def _h_extend(request, d):
    form = _bind(request, "extend", f.ExtendForm)
    if d.due_at_current is None:
        raise InvariantBroken(_("Hồ sơ chưa có ngày hẹn trả để gia hạn."), status=d.status)
    new_due = form.new_due_at(d.due_at_current)
    if new_due <= d.due_at_current:
        form.add_error("new_due_date", _("Ngày hẹn trả mới phải sau ngày hẹn hiện tại."))
        raise _Rejected("extend", form)
    letter = apology_letter_pdf(
        d, reason=form.cleaned_data["reason"], new_due_at=new_due, signer=request.user
    )
    services.extend_with_apology(
        request.user,
        dossier_id=d.pk,
        reason=form.cleaned_data["reason"],
        new_due_at=new_due,
        letter_file=ContentFile(letter, name=f"{d.code}-xin-loi.pdf"),
        expected_version=form.cleaned_data["version"],
    )
    local = new_due.astimezone(LOCAL_TZ)
    return _("Đã lập văn bản xin lỗi và hẹn lại ngày trả kết quả: %(date)s.") % {
        "date": local.strftime("%H:%M %d/%m/%Y")
    }


def apology_letter_pdf(d: Dossier, *, reason: str, new_due_at: dt.datetime, signer) -> bytes:
    """Mẫu 04 for this dossier, rendered before the extension is stored (the letter goes in
    with it); agency, applicant and numbering as papers.from_dossier builds them."""
    from .papers import data as paper
    from .papers import from_dossier
    from .papers.render import render_apology

    letter = paper.ApologyData(
        agency=from_dossier.agency(d.competent_unit),
        paper_no=f"{from_dossier.entry_no(d)}/XL",
        issued_at=timezone.now(),
        applicant=from_dossier.applicant(d),
        dossier_code=d.code,
        procedure_name=d.procedure_name,
        received_at=d.received_at or d.submitted_at,
        original_due_at=d.due_at_current,
        reason=reason,
        new_due_at=new_due_at,
        signer_name=signer.full_name or signer.username,
        signer_title=_("Lãnh đạo") if has_role(signer, R.LEADER) else _("Người lập"),
    )
    return render_apology(letter)


def _needs_pin() -> bool:
    from motcua.documents.services import needs_pin

    return needs_pin()


@require_GET
@staff_required(R.LEADER)
def dossier_sign_confirm(request, pk):
    """Bước xác nhận trước khi ký: the leader sees what will be signed, then confirms."""
    dossier = selectors.get_for_staff(request.user, pk)
    if "approve_sign" not in available_actions(request.user, dossier):
        raise PermissionDenied(_("Bạn không thể phê duyệt, ký hồ sơ này lúc này."))
    form = f.ApproveSignForm(initial={"version": dossier.version}, needs_pin=_needs_pin())
    return _sign_confirm_page(request, dossier, form)


def _with_links(user, dossier) -> list:
    """The draft result to sign, with its signed link and preview (none if there is none)."""
    draft = services.unsigned_result(dossier)
    return file_links.attach_links(user, dossier.pk, file_links.DOCUMENT, [draft] if draft else [])


def _sign_confirm_page(request, dossier, form, *, error: str = "", status: int = 200):
    return render(
        request,
        "dossiers/worklist/sign_confirm.html",
        {
            "d": dossier,
            "form": form,
            "draft": next(iter(_with_links(request.user, dossier)), None),
            "error": error,
            "personal_signature": _personal_signature(),
        },
        status=status,
    )


def _personal_signature() -> bool:
    from motcua.documents.services import personal_signing_available

    return personal_signing_available()


def _h_approve_sign(request, d):
    form = _bind(request, "approve_sign", f.ApproveSignForm, needs_pin=_needs_pin())
    services.approve_and_sign(
        request.user,
        dossier_id=d.pk,
        confirmed=form.cleaned_data["confirm"],
        expected_version=form.cleaned_data["version"],
        note=form.cleaned_data["note"],
        pin=form.cleaned_data.get("pin") or "",
    )
    return _("Đã phê duyệt và ký số văn bản kết quả.")


_HANDLERS = {
    "start_processing": _h_start_processing,
    "assign": _h_assign,
    "finish_step": _h_finish_step,
    "request_supplement": _h_request_supplement,
    "request_financial_obligation": _h_request_financial_obligation,
    "confirm_payment": _h_confirm_payment,
    "submit_for_approval": _h_submit_for_approval,
    "send_back": _h_send_back,
    "approve_sign": _h_approve_sign,
    "attach_result": _h_attach_result,
    "mark_result_ready": _h_mark_result_ready,
    "extend": _h_extend,
    "stop": _h_stop,
    "transfer": _h_transfer,
    "acknowledge_transfer": _h_acknowledge_transfer,
}
