"""'Ký tờ khai': the citizen signs their draft's declaration (decisions/0038). Thin: the rules,
the permission checks and the audit are in `filing.signing`. Only the citizen reaches these
pages (`citizen_required`): a staff member helping in an assist session does not sign for them.
The PIN and the certificate file's password are marked sensitive (never in error reports) and
the file is read into memory only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from motcua.citizens.decorators import citizen_required
from motcua.core.files import StoredFileMissing, read_stored
from motcua.documents import remote_signing
from motcua.documents.citizen_signing import MAX_P12_BYTES, CitizenSigningError

from . import services, signing
from .models import DeclarationSignature, Draft
from .views import _gate


@citizen_required
@never_cache
@sensitive_post_parameters("pin", "mat-khau")
@require_http_methods(["GET", "POST"])
def sign(request, draft_id: int):
    draft, stop = _gate(request, draft_id)
    if stop is not None:
        return stop
    error, chosen = "", request.POST.get("action", "remote")
    if request.method == "POST":
        try:
            if chosen == "remote":
                signing.sign_remotely(
                    citizen=request.user, draft_id=draft.pk, pin=request.POST.get("pin", "")
                )
            elif chosen == "file":
                upload = request.FILES.get("tep")
                if upload is None:
                    raise CitizenSigningError(
                        "no_file", _("Vui lòng chọn tệp chứng thư số (.p12 hoặc .pfx).")
                    )
                if upload.size > MAX_P12_BYTES:  # refused from its size, before reading it
                    raise CitizenSigningError(
                        "not_pkcs12", _("Tệp không phải là tệp chứng thư số (.p12, .pfx) hợp lệ.")
                    )
                signing.sign_with_file(
                    citizen=request.user,
                    draft_id=draft.pk,
                    data=upload.read(),
                    password=request.POST.get("mat-khau", ""),
                )
            else:
                return HttpResponseBadRequest()
        except CitizenSigningError as exc:
            error = exc.reason
        except services.DraftClosed:
            return redirect("filing:review", draft.pk)
        except PermissionDenied:
            raise
        else:
            return redirect("filing:review", draft.pk)
    context = {
        "draft": draft,
        "status": signing.status_of(draft),
        "remote_available": remote_signing.configured(),
        "error": error,
        "chosen": chosen,
    }
    return render(request, "filing/sign.html", context, status=400 if error else 200)


@citizen_required
@require_GET
def signed_file(request, draft_id: int):
    """The citizen's own signed declaration, as kept."""
    draft, _stop = _gate(request, draft_id)
    signature = DeclarationSignature.objects.filter(draft=draft).first()
    if signature is None:
        raise Http404
    try:
        body = read_stored(signature.file)
    except StoredFileMissing:
        raise Http404 from None
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="to-khai-ky-so-{draft.pk}.pdf"'
    return response


@citizen_required
@never_cache
@sensitive_post_parameters("pin", "mat-khau")
@require_http_methods(["GET", "POST"])
def sign_filed(request, code: str):
    """ "Ký số tờ khai" after submission, from "Hồ sơ của tôi" (decisions/0040): the same two
    ways as while filing; only the citizen who filed the dossier, only while it waits for
    reception or for their supplement. Another citizen's dossier, or one filed at the counter,
    is the same 404."""
    try:
        draft = signing._filed_draft(request.user, code)
    except Draft.DoesNotExist:
        raise Http404 from None
    dossier = draft.dossier
    back = reverse("citizens:my_dossier", args=[dossier.code])
    error, chosen = "", request.POST.get("action", "remote")
    if request.method == "POST":
        try:
            if chosen == "remote":
                signing.sign_filed_remotely(
                    citizen=request.user, code=code, pin=request.POST.get("pin", "")
                )
            elif chosen == "file":
                upload = request.FILES.get("tep")
                if upload is None:
                    raise CitizenSigningError(
                        "no_file", _("Vui lòng chọn tệp chứng thư số (.p12 hoặc .pfx).")
                    )
                if upload.size > MAX_P12_BYTES:
                    raise CitizenSigningError(
                        "not_pkcs12", _("Tệp không phải là tệp chứng thư số (.p12, .pfx) hợp lệ.")
                    )
                signing.sign_filed_with_file(
                    citizen=request.user,
                    code=code,
                    data=upload.read(),
                    password=request.POST.get("mat-khau", ""),
                )
            else:
                return HttpResponseBadRequest()
        except CitizenSigningError as exc:
            error = exc.reason
        else:
            messages.success(request, _("Đã ký số tờ khai của hồ sơ %(code)s.") % {"code": code})
            return redirect(back)
    state = signing.filed_state(draft)
    context = {
        "dossier": dossier,
        "state": state,
        "signable": state == signing.FiledSigning.SIGNABLE,
        "remote_available": remote_signing.configured(),
        "error": error,
        "back": back,
    }
    return render(request, "filing/sign_filed.html", context, status=400 if error else 200)
