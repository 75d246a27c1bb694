"""The manager's reconciliation screens (/can-bo/thu-phi/doi-soat/): upload a bank statement or
the platform's daily file, see the report of each run, work through its exceptions (resolved
with a note). Thin: `payments.reconciliation` reads, matches and decides again who may."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.accounts.decorators import staff_required
from motcua.accounts.scoping import visible_unit_ids
from motcua.core.models import Unit

from . import reconciliation
from .models import ReconciliationLine, ReconciliationRun

PAGE_SIZE = 25


def _units(user) -> list[Unit]:
    ids = visible_unit_ids(user, reconciliation.RECONCILERS)
    return list(Unit.objects.filter(pk__in=ids).order_by("name"))


class UploadForm(forms.Form):
    don_vi = forms.TypedChoiceField(label=gettext_lazy("Đơn vị"), coerce=int)
    nguon = forms.ChoiceField(
        label=gettext_lazy("Loại tệp"), choices=ReconciliationRun.Source.choices
    )
    tep = forms.FileField(
        label=gettext_lazy("Tệp sao kê (.csv hoặc .xlsx) hoặc tệp đối soát của nền tảng")
    )
    cot_ngay = forms.CharField(label=gettext_lazy("Cột ngày giao dịch"), required=False)
    cot_tham_chieu = forms.CharField(label=gettext_lazy("Cột số tham chiếu"), required=False)
    cot_ghi_co = forms.CharField(label=gettext_lazy("Cột số tiền ghi có"), required=False)
    cot_noi_dung = forms.CharField(label=gettext_lazy("Cột nội dung"), required=False)

    def __init__(self, *args, units: list[Unit], **kw):
        super().__init__(*args, **kw)
        self.fields["don_vi"].choices = [(u.pk, u.name) for u in units]
        self.fields["don_vi"].error_messages["invalid_choice"] = _("Đơn vị không hợp lệ.")
        self.fields["tep"].error_messages["required"] = _("Vui lòng chọn tệp để tải lên.")
        if len(units) == 1:
            self.fields["don_vi"].initial = units[0].pk
        for name, key in (
            ("cot_ngay", "date"),
            ("cot_tham_chieu", "reference"),
            ("cot_ghi_co", "credit"),
            ("cot_noi_dung", "text"),
        ):
            self.fields[name].widget.attrs["placeholder"] = reconciliation.DEFAULT_COLUMNS[key][0]

    def clean_tep(self):
        upload = self.cleaned_data["tep"]
        if upload.size > reconciliation.MAX_BYTES:
            raise ValidationError(_("Tệp quá lớn (tối đa 5 MB)."))
        return upload

    def columns(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "date": data.get("cot_ngay", ""),
            "reference": data.get("cot_tham_chieu", ""),
            "credit": data.get("cot_ghi_co", ""),
            "text": data.get("cot_noi_dung", ""),
        }


@staff_required(*reconciliation.RECONCILERS)
@require_http_methods(["GET", "POST"])
def runs(request):
    units = _units(request.user)
    if not units:
        raise Http404
    status = 200
    form = UploadForm(units=units)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            upload = form.cleaned_data["tep"]
            try:
                outcome = reconciliation.reconcile(
                    request.user,
                    unit_id=form.cleaned_data["don_vi"],
                    source=form.cleaned_data["nguon"],
                    data=upload.read(),
                    file_name=upload.name,
                    columns=form.columns(),
                )
            except ValidationError as exc:
                form.add_error("tep", " ".join(exc.messages))
            except PermissionDenied as exc:
                raise Http404 from exc  # a unit the user may not reconcile does not exist
            else:
                if outcome.again:
                    messages.warning(
                        request,
                        _(
                            "Tệp này đã được đối soát lúc %(when)s; không đối soát lại. "
                            "Dưới đây là kết quả lần đó."
                        )
                        % {"when": outcome.run.created_at.strftime("%H:%M %d/%m/%Y")},
                    )
                else:
                    messages.success(
                        request, _("Đã đối soát tệp %(name)s.") % {"name": upload.name}
                    )
                return redirect("payments:reconciliation_run", pk=outcome.run.pk)
        status = 400
    qs = ReconciliationRun.objects.filter(unit__in=units).select_related("unit", "created_by")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "units": units,
        "defaults": reconciliation.DEFAULT_COLUMNS,
    }
    return render(request, "payments/reconciliation/runs.html", context, status=status)


@staff_required(*reconciliation.RECONCILERS)
@require_http_methods(["GET", "POST"])
def run_detail(request, pk: int):
    units = _units(request.user)
    run = get_object_or_404(
        ReconciliationRun.objects.select_related("unit", "created_by"), pk=pk, unit__in=units
    )
    status = 200
    if request.method == "POST":
        try:
            line_id = int(request.POST.get("dong", ""))
        except ValueError:
            line_id = 0
        line = ReconciliationLine.objects.filter(pk=line_id, run=run).first()
        if line is None:
            raise Http404
        try:
            reconciliation.resolve(
                request.user, line_id=line.pk, note=request.POST.get("ghi_chu", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request, _("Đã ghi nhận cách xử lý dòng %(n)s.") % {"n": line.row_number or "–"}
            )
            return redirect(request.get_full_path())
    show = request.GET.get("xem", "can_xu_ly")
    lines = run.lines.select_related("attempt", "attempt__request", "resolved_by")
    if show == "can_xu_ly":
        lines = lines.filter(needs_action=True, resolved_at__isnull=True)
    elif show == "da_xu_ly":
        lines = lines.filter(needs_action=True, resolved_at__isnull=False)
    else:
        show = "tat_ca"
    page = Paginator(lines.order_by("row_number", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    open_count = run.lines.filter(needs_action=True, resolved_at__isnull=True).count()
    counts = {
        row["outcome"]: row["n"]
        for row in run.lines.values("outcome").order_by().annotate(n=Count("id"))
    }
    context = {
        "run": run,
        "page": page,
        "show": show,
        "open_count": open_count,
        "tally": [
            (value, label, counts.get(value, 0))
            for value, label in ReconciliationLine.Outcome.choices
        ],
    }
    return render(request, "payments/reconciliation/run.html", context, status=status)
