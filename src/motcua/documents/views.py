"""Public verification of e-signed results: no login, rate-limited per IP, never a 500.

Thin views: the judgement is `verification.verify_pdf`, the lookup `selectors`-style queries
on `SignedDocument` by its unguessable code.
"""

from django.conf import settings
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit

from .forms import MAX_UPLOAD_BYTES, CodeForm, UploadForm
from .models import SignedDocument, normalise_code
from .verification import verify_pdf

UPLOAD_OVERHEAD = 64 * 1024  # multipart boundaries and the CSRF field


def _limit() -> int:
    return settings.MOTCUA_VERIFY_RATE_PER_MINUTE


def _throttled(request) -> bool:
    """Count this request against its IP's per-minute budget; True once the budget is spent."""
    return ratelimit.hit("verify", ratelimit.client_ip(request), window=60) > _limit()


def _too_many(request):
    message = _(
        "Bạn đã gửi quá nhiều yêu cầu xác thực trong một phút. Vui lòng đợi một phút rồi thử lại."
    )
    return ratelimit.too_many(
        request, message, retry_after=60, back_url=reverse("documents:verify")
    )


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _form_page(request, upload_form, code_form, status=200, too_big=False):
    return render(
        request,
        "documents/verify.html",
        {"upload_form": upload_form, "code_form": code_form, "too_big": too_big},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """GET: the two ways to check a document; ?ma=<code> opens that code's page.
    POST: check an uploaded PDF and show the verdict (the file is not kept)."""
    if request.method == "GET":
        if "ma" not in request.GET:
            return _form_page(request, UploadForm(), CodeForm())
        code_form = CodeForm(request.GET)
        if not code_form.is_valid():
            return _form_page(request, UploadForm(), code_form, status=400)
        url = reverse("documents:verify_code", kwargs={"code": code_form.cleaned_data["ma"]})
        return HttpResponseRedirect(url)

    if _throttled(request):
        return _too_many(request)
    if _content_length(request) > MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD:
        # Refused without verifying. CSRF middleware has already parsed the body by now, so
        # the real cap on what is read belongs in the reverse proxy (client_max_body_size 11m).
        return _form_page(request, UploadForm(), CodeForm(), status=413, too_big=True)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, CodeForm(), status=400)
    upload = form.cleaned_data["file"]
    result = verify_pdf(upload.read())
    return render(
        request,
        "documents/result.html",
        {"result": result, "filename": upload.name, "uploaded": True},
    )


def _not_found(request):
    return render(request, "documents/not_found.html", status=404)


def verify_code(request, code: str):
    """The page the QR code opens: what was issued under `code`, re-verified from storage."""
    if _throttled(request):
        return _too_many(request)
    code = normalise_code(code)
    document = SignedDocument.objects.select_related("unit").filter(verification_code=code).first()
    if document is None:
        return _not_found(request)
    try:
        with document.file.open("rb") as fh:
            data = fh.read()
    except OSError:
        data = b""
    result = verify_pdf(data) if data else None
    return render(
        request,
        "documents/document.html",
        {"document": document, "result": result, "file_missing": not data},
    )


def download(request, code: str):
    """The stored signed PDF, byte for byte as issued."""
    if _throttled(request):
        return _too_many(request)
    document = SignedDocument.objects.filter(verification_code=normalise_code(code)).first()
    if document is None:
        return _not_found(request)
    try:
        fh = document.file.open("rb")
    except OSError:
        return _not_found(request)
    return FileResponse(
        fh,
        as_attachment=True,
        filename=f"{document.verification_code}.pdf",
        content_type="application/pdf",
    )
