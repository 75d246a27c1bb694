"""Assisted filing pages (decisions/0032): the helper's screens under /can-bo/ho-tro-nop/ and
the citizen's confirmation at /nop-truc-tuyen/ho-tro/<code>/. Thin: parse -> `assisted` ->
render; the role, the unit and the citizen's ID are checked inside the services."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.catalog.models import Procedure
from motcua.citizens.decorators import citizen_required
from motcua.core.forms import query_id
from motcua.core.links import public_url
from motcua.dossiers.papers import render as papers

from . import assisted
from .models import AssistSession

HELPERS = (Role.COUNTER_OFFICER, Role.DIGITAL_TEAM)


def _code_key(session_id: int) -> str:
    return f"filing-assist-code-{session_id}"


def _pretty(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == assisted.CODE_LENGTH else code


def _next_url(session: AssistSession) -> str:
    draft = session.draft
    if draft is None:
        return ""
    if draft.dossier_id:
        return reverse("filing:done", args=[draft.pk])
    if draft.step:
        return reverse("filing:step", args=[draft.pk, draft.step])
    return reverse("filing:review", args=[draft.pk])


@staff_required(*HELPERS)
@never_cache
@require_http_methods(["GET", "POST"])
def home(request):
    """Start a session for a citizen at the counter; the helper's sessions of today."""
    units = list(assisted.units_of(request.user))
    unit_id = query_id(request.POST if request.method == "POST" else request.GET, "don-vi")
    unit = next((u for u in units if u.pk == unit_id), units[0] if units else None)
    procedures = assisted.procedures_for(unit) if unit is not None else []
    errors: list[str] = []
    typed = ""
    if request.method == "POST":
        typed = request.POST.get("so-dinh-danh", "")[:40]
        procedure_id = query_id(request.POST, "thu-tuc")
        if unit is None or (unit_id and unit.pk != unit_id):
            return HttpResponseBadRequest(_("Đơn vị không hợp lệ."))
        procedure = get_object_or_404(Procedure, pk=procedure_id) if procedure_id else None
        if procedure is None:
            errors.append(_("Vui lòng chọn thủ tục."))
        else:
            try:
                session, code = assisted.begin(
                    helper=request.user, unit=unit, procedure=procedure, citizen_id=typed
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                request.session[_code_key(session.pk)] = code
                return redirect("assist:session", session.pk)
    context = {
        "units": units,
        "unit": unit,
        "procedures": procedures,
        "errors": errors,
        "typed": typed,
        "sessions": assisted.sessions_of(request.user)[:10],
        "minutes": settings.MOTCUA_ASSIST_CODE_MINUTES,
    }
    return render(request, "filing/assist_home.html", context, status=400 if errors else 200)


@staff_required(*HELPERS)
@never_cache
@require_GET
def session_page(request, session_id: int):
    """The code and its QR while the citizen has not confirmed; then the way into the draft."""
    session = assisted.session_of(request.user, session_id)
    context: dict = {"session": session, "next_url": _next_url(session), "error": ""}
    if session.status == AssistSession.Status.PENDING:
        code = request.session.get(_code_key(session.pk), "")
        expired = assisted.is_code_expired(session)
        url = public_url(reverse("filing:assist_confirm", args=[code]), request) if code else ""
        context.update(
            code=_pretty(code),
            url=url,
            qr=papers.qr_png_data_uri(url) if url and not expired else "",
            expired=expired,
        )
    return render(request, "filing/assist_session.html", context)


@staff_required(*HELPERS)
@never_cache
@require_POST
def confirm_registry(request, session_id: int):
    """The helper checked the ID card and confirms through the population registry."""
    try:
        session = assisted.confirm_by_registry(
            session_id=session_id,
            helper=request.user,
            card_checked=request.POST.get("da-kiem-tra-the") == "1",
        )
    except assisted.CodeRefused:
        return redirect("assist:session", session_id)
    except ValidationError as exc:
        session = assisted.session_of(request.user, session_id)
        context = {
            "session": session,
            "next_url": "",
            "error": " ".join(exc.messages),
            "code": _pretty(request.session.get(_code_key(session.pk), "")),
            "expired": True,  # no QR on the error page; the code is still shown
        }
        return render(request, "filing/assist_session.html", context, status=400)
    request.session.pop(_code_key(session.pk), None)
    return redirect(_next_url(session))


@citizen_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, code: str):
    """The citizen's phone: who helps them with what; "Đồng ý" binds the session to them."""
    try:
        session = assisted.pending_by_code(code)
    except assisted.CodeRefused:
        return render(request, "filing/assist_code_refused.html", status=410)
    error = ""
    if request.method == "POST":
        if request.POST.get("dong-y") != "1":
            return HttpResponseBadRequest(_("Yêu cầu không hợp lệ."))
        try:
            session = assisted.confirm_by_sign_in(code=code, citizen=request.user)
        except assisted.CodeRefused:
            return render(request, "filing/assist_code_refused.html", status=410)
        except assisted.WrongCitizen:
            return render(request, "filing/assist_wrong_citizen.html", status=403)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return render(request, "filing/assist_confirmed.html", {"session": session})
    context = {"session": session, "error": error}
    return render(request, "filing/assist_confirm.html", context, status=400 if error else 200)
