"""Staff screens: the certification book and issuing a certified copy. Thin: the rules are in
`services.certify_copy`, the reads in `selectors`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import staff_required
from motcua.core.models import Unit
from motcua.documents import uploads
from motcua.documents.services import needs_pin

from . import fees, selectors, services
from .forms import CertifyForm
from .xlsx import book_xlsx

PAGE_SIZE = 30


def _certifying_units(user):
    ids = selectors.visible_unit_ids(user, services.CERTIFIERS)
    return list(Unit.objects.filter(pk__in=ids).order_by("name"))


@staff_required(*selectors.BOOK_READERS)
def book(request):
    """Sổ chứng thực bản sao điện tử of the units the viewer reads, newest first."""
    if request.GET.get("tai") == "xlsx":
        entries = selectors.book(request.user)
        response = HttpResponse(
            book_xlsx(entries[:5000]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="so-chung-thuc.xlsx"'
        return response
    return _book_page(request)


def _book_page(request, *, void_errors: dict | None = None, status: int = 200):
    entries = selectors.book(request.user)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    units = _certifying_units(request.user)
    voidable = {u.pk for u in units}
    for entry in page.object_list:
        entry.may_void = not entry.voided and entry.unit_id in voidable
        entry.void_error = (void_errors or {}).get(entry.pk, "")
    return render(
        request,
        "certification/book.html",
        {"page": page, "may_certify": bool(units)},
        status=status,
    )


@staff_required(*selectors.BOOK_READERS)
@require_POST
def void(request, pk: int):
    """Hủy bỏ một bản sao đã chứng thực, with a reason: the entry stays in the book, marked."""
    entry = selectors.book(request.user).filter(pk=pk).first()
    if entry is None:  # another unit's book: not this viewer's to know of
        raise Http404
    try:
        services.void_copy(request.user, entry_id=entry.pk, reason=request.POST.get("reason", ""))
    except PermissionDenied as exc:
        raise PermissionDenied(_("Bạn không có quyền hủy bỏ bản sao chứng thực.")) from exc
    except ValidationError as exc:
        return _book_page(request, void_errors={entry.pk: " ".join(exc.messages)}, status=400)
    except services.AlreadyVoided as exc:
        messages.info(request, exc.message)
        return redirect("certification:book")
    messages.success(
        request,
        _("Đã hủy bỏ bản sao số %(n)s; số vẫn giữ trong sổ, trang xác thực ghi rõ đã hủy bỏ.")
        % {"n": entry.number},
    )
    return redirect("certification:book")


@staff_required(*services.CERTIFIERS)
@require_http_methods(["GET", "POST"])
def certify(request):
    """Chứng thực bản sao điện tử từ bản chính: the original scanned or photographed, the
    citizen, the title and page count; signed by the certifying person and the unit."""
    units = _certifying_units(request.user)
    form = CertifyForm(request.POST or None, units=units, needs_pin=needs_pin())
    files_error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        files = [uploads.Upload(name=f.name, data=f.read()) for f in request.FILES.getlist("files")]
        if not files:
            files_error = _("Chọn tệp bản chính đã quét (PDF) hoặc ảnh chụp từng trang.")
        else:
            try:
                entry = services.certify_copy(
                    request.user,
                    unit_id=data["unit"],
                    citizen_id=data["citizen_id"],
                    citizen_name=data["citizen_name"],
                    title=data["title"],
                    pages=data["pages"],
                    files=files,
                    pin=data.get("pin", ""),
                )
            except PermissionDenied:
                form.add_error("unit", _("Bạn không có quyền ký chứng thực cho đơn vị này."))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    if field == "files":
                        files_error = " ".join(errors)
                    else:
                        form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _(
                        "Đã chứng thực bản sao: số %(number)s, quyển số %(book)s, phí %(fee)s. "
                        "Bản sao đã được ký số và lưu vào Giấy tờ của công dân."
                    )
                    % {
                        "number": entry.number,
                        "book": entry.book,
                        "fee": fees.money(entry.fee_vnd),
                    },
                )
                return redirect(f"{reverse('certification:book')}?moi={entry.pk}")
    status = 400 if request.method == "POST" else 200
    today = timezone.localdate()
    tariffs = [fees.tariff_summary(unit=u, day=today) for u in units]
    return render(
        request,
        "certification/certify.html",
        {"form": form, "files_error": files_error, "units": units, "tariffs": tariffs},
        status=status,
    )
