"""Petition pages: the public form, following by code, the public list of answers; the staff
list (overdue first filter, per-department counts for leaders) and the petition page with the
moves `services.actions_for` offers. Thin: parse, call `services` / `selectors`, render."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.accounts.scoping import get_scoped_or_404, has_role, visible_unit_ids
from motcua.core import ratelimit
from motcua.core.files import open_stored
from motcua.core.forms import query_id
from motcua.core.models import Department, Unit, Village
from motcua.core.statemachine import IllegalTransition
from motcua.documents.uploads import Upload

from . import challenge, selectors, services
from .machine import PETITIONS
from .models import Attachment, Petition

PAGE_SIZE = 20
STAFF_ROLES = (Role.MANAGER, Role.LEADER, Role.SPECIALIST)
FOLLOW_WINDOW = 600
SUBMIT_WINDOW = 3600


# --- public ------------------------------------------------------------------------------------


def _units_taking_petitions():
    ids = selectors.Category.objects.filter(is_active=True).values("unit_id")
    return Unit.objects.filter(pk__in=ids).order_by("name")


@require_GET
def home(request):
    """Gửi phản ánh, kiến nghị: choose the commune; follow by code; published answers."""
    units = list(_units_taking_petitions())
    if len(units) == 1:
        return redirect("petitions:new", unit_code=units[0].code)
    return render(request, "petitions/home.html", {"units": units})


def _submit_limited(request) -> HttpResponse | None:
    count = ratelimit.hit("petitions-submit", ratelimit.client_ip(request), window=SUBMIT_WINDOW)
    if count > settings.MOTCUA_PETITION_IP_LIMIT:
        return ratelimit.too_many(
            request,
            _("Địa chỉ mạng của bạn đã gửi nhiều phản ánh trong một giờ. Xin thử lại sau."),
            retry_after=SUBMIT_WINDOW,
            back_url=reverse("petitions:home"),
        )
    return None


def _uploads(request) -> list[Upload]:
    limit = settings.MOTCUA_PETITION_MAX_BYTES
    files = request.FILES.getlist("files")[: settings.MOTCUA_PETITION_MAX_FILES + 1]
    # read at most one byte past the limit: an oversized file is refused without holding it all
    return [Upload(name=f.name or "tep", data=f.read(limit + 1)) for f in files if f.size]


@require_http_methods(["GET", "POST"])
def new(request, unit_code: str):
    unit = get_object_or_404(_units_taking_petitions(), code=unit_code)
    signed_in = request.user.is_authenticated
    errors: dict[str, str] = {}
    data = services.PetitionIn()
    if request.method == "POST":
        if limited := _submit_limited(request):
            return limited
        post = request.POST
        data = services.PetitionIn(
            category=post.get("category"),
            subject=post.get("subject", ""),
            content=post.get("content", ""),
            village=post.get("village"),
            place=post.get("place", ""),
            latitude=post.get("latitude", ""),
            longitude=post.get("longitude", ""),
            anonymous=post.get("anonymous") == "1",
            name=post.get("name", ""),
            phone=post.get("phone", ""),
            email=post.get("email", ""),
            repeat_of=post.get("repeat_of", ""),
            dossier=post.get("dossier", "")[:80],
            files=_uploads(request),
        )
        try:
            petition = services.submit(
                unit=unit,
                data=data,
                user=request.user,
                challenge_token=post.get("challenge", ""),
                nonce=post.get("nonce", ""),
            )
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
        except challenge.ChallengeRefused as exc:
            errors = {"challenge": exc.message}
        else:
            return redirect(reverse("petitions:follow", args=[petition.code]) + "?moi=1")
    user = request.user
    if signed_in and request.method == "GET":
        data.name = getattr(user, "full_name", "") or ""
        data.phone = getattr(user, "phone", "") or ""
    context = {
        "unit": unit,
        "data": data,
        "errors": errors,
        "categories": selectors.categories(unit.pk),
        "villages": Village.objects.filter(unit=unit).order_by("name"),
        "challenge": "" if signed_in else challenge.issue(),
        "bits": challenge.bits(),
        "max_files": settings.MOTCUA_PETITION_MAX_FILES,
        "max_mb": settings.MOTCUA_PETITION_MAX_BYTES // (1024 * 1024),
        "signed_in": signed_in,
    }
    return render(request, "petitions/new.html", context, status=400 if errors else 200)


def _follow_limited(request) -> HttpResponse | None:
    count = ratelimit.hit("petitions-follow", ratelimit.client_ip(request), window=FOLLOW_WINDOW)
    if count > settings.MOTCUA_PETITION_FOLLOW_LIMIT:
        return ratelimit.too_many(
            request,
            _("Bạn đã tra cứu quá nhiều lần. Xin thử lại sau ít phút."),
            retry_after=FOLLOW_WINDOW,
        )
    return None


@require_GET
def lookup(request):
    """Tra cứu phản ánh: the code typed -> its page."""
    raw = request.GET.get("ma", "")
    error = ""
    if raw:
        code = services.normalise_code(raw)
        if code:
            return redirect("petitions:follow", code=code)
        error = _("Mã phản ánh gồm 8 chữ và số sau “PA-”, ví dụ PA-7KQ2-M9XD.")
    return render(request, "petitions/lookup.html", {"error": error, "raw": raw[:40]})


@require_http_methods(["GET", "POST"])
def follow(request, code: str):
    """The submitter's page: status, deadline, the published answer, the rating once."""
    if limited := _follow_limited(request):
        return limited
    petition = services.current(code)
    if petition is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            services.rate(code, level=request.POST.get("rating", ""))
        except ValidationError as exc:
            error = exc.messages[0]
        except IllegalTransition:
            error = _("Chỉ đánh giá được khi trả lời đã được công khai.")
        else:
            return redirect("petitions:follow", code=petition.code)
        petition.refresh_from_db()
    context = {
        "petition": petition,
        "asked_code": services.normalise_code(code),
        "just_sent": request.GET.get("moi") == "1",
        "error": error,
        "ratings": Petition.Rating.choices,
        "overdue": petition.status in selectors.OPEN and petition.due_at < timezone.now(),
    }
    return render(request, "petitions/follow.html", context, status=400 if error else 200)


@require_GET
def published(request):
    """Trả lời phản ánh đã công khai: newest first, paginated, by commune."""
    unit_id = query_id(request.GET, "don-vi")
    page = Paginator(selectors.published(unit_id), PAGE_SIZE).get_page(request.GET.get("page"))
    units = _units_taking_petitions()
    return render(
        request, "petitions/published.html", {"page": page, "units": units, "unit_id": unit_id}
    )


# --- staff -------------------------------------------------------------------------------------


def _units(request) -> set[int]:
    return visible_unit_ids(request.user, STAFF_ROLES)


@staff_required(*STAFF_ROLES)
@require_GET
def staff_list(request):
    """Phản ánh, kiến nghị: newest first; filter by status, department, category, overdue."""
    units = _units(request)
    now = timezone.now()
    status = request.GET.get("trang-thai", "")
    if status not in Petition.Status.values:
        status = ""
    overdue_only = request.GET.get("qua-han") == "1"
    qs = selectors.staff_list(
        units,
        now=now,
        status=status,
        department=query_id(request.GET, "phong"),
        category=query_id(request.GET, "linh-vuc"),
        overdue_only=overdue_only,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    leader = has_role(request.user, Role.LEADER, Role.MANAGER)
    context = {
        "page": page,
        "now": now,
        "statuses": Petition.Status.choices,
        "status": status,
        "overdue_only": overdue_only,
        "departments": Department.objects.filter(unit_id__in=units).order_by("name"),
        "department": query_id(request.GET, "phong"),
        "categories": selectors.Category.objects.filter(unit_id__in=units).order_by("name"),
        "category": query_id(request.GET, "linh-vuc"),
        "counts": selectors.department_counts(units, now=now) if leader else None,
    }
    return render(request, "petitions/staff_list.html", context)


def _petition(request, pk: int) -> Petition:
    return get_scoped_or_404(
        Petition.objects.select_related(
            "unit", "category", "department", "village", "handler", "dossier"
        ),
        request.user,
        scope_roles=STAFF_ROLES,
        pk=pk,
    )


@staff_required(*STAFF_ROLES)
@require_GET
def staff_detail(request, pk: int):
    petition = _petition(request, pk)
    return render(request, "petitions/staff_detail.html", _detail_context(request, petition))


def _detail_context(request, petition: Petition, error: str = "") -> dict:
    actions = services.actions_for(request.user, petition)
    return {
        "petition": petition,
        "actions": actions,
        "labels": {a: PETITIONS.label(a) for a in actions},
        "events": [(e, PETITIONS.label(e.action)) for e in petition.events.select_related("actor")],
        "attachments": petition.attachments.all(),
        "handlers": services.handlers_of(petition.unit_id, petition.department_id),
        "departments": Department.objects.filter(unit_id=petition.unit_id).order_by("name"),
        "targets": services.transfer_targets(petition.unit) if "transfer" in actions else [],
        "overdue": petition.status in selectors.OPEN and petition.due_at < timezone.now(),
        "error": error,
    }


@staff_required(*STAFF_ROLES)
@require_POST
def staff_act(request, pk: int, action: str):
    """One move of the petition page; a move the page did not offer is refused by the service."""
    petition = _petition(request, pk)
    post = request.POST
    version = query_id(post, "version")
    common = {"actor": request.user, "expected_version": version}
    try:
        if action == "assign":
            handler = query_id(post, "handler") or (request.user.pk if post.get("self") else None)
            if handler is None:
                raise ValidationError(_("Chọn cán bộ xử lý."))
            services.assign(
                petition.pk, handler=handler, department=query_id(post, "department"), **common
            )
        elif action == "answer":
            services.answer(petition.pk, text=post.get("text", ""), **common)
        elif action == "publish":
            services.publish(petition.pk, text=post.get("text", ""), **common)
        elif action == "close":
            services.close(petition.pk, reason=post.get("reason", ""), **common)
        elif action == "transfer":
            to_unit = query_id(post, "to_unit")
            if to_unit is None:
                raise ValidationError(_("Chọn đơn vị nhận."))
            services.transfer(petition.pk, to_unit=to_unit, reason=post.get("reason", ""), **common)
        elif action == "link_dossier":
            services.link_dossier(petition.pk, code=post.get("dossier", "")[:80], **common)
        else:
            raise Http404
    except ValidationError as exc:
        context = _detail_context(request, petition, exc.messages[0])
        return render(request, "petitions/staff_detail.html", context, status=400)
    except IllegalTransition as exc:
        context = _detail_context(request, petition, exc.reason)
        return render(request, "petitions/staff_detail.html", context, status=409)
    except PermissionDenied as exc:
        context = _detail_context(request, petition, str(exc) or _("Bạn không có quyền này."))
        return render(request, "petitions/staff_detail.html", context, status=403)
    return redirect("petitions:staff_detail", pk=petition.pk)


@staff_required(*STAFF_ROLES)
@require_GET
def attachment(request, pk: int):
    item = get_scoped_or_404(
        Attachment.objects.select_related("petition"), request.user, scope_roles=STAFF_ROLES, pk=pk
    )
    return FileResponse(
        open_stored(item.file), content_type="application/pdf", filename=f"{item.pk}.pdf"
    )
