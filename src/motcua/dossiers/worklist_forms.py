"""Forms of the worklists and the dossier page: parse and check input, nothing else.

Business rules stay in `services`; these forms only turn POST data into typed arguments and
say in Vietnamese what is missing. Every action form carries the dossier `version` the page
showed, so a double-submitted or stale form does not make a second change.
"""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.core.calendar import LOCAL_TZ
from motcua.core.forms import BoundedDateField
from motcua.core.models import Unit
from motcua.documents import pdfs

from .models import Channel, Status

MAX_PDF_BYTES = 20 * 1024 * 1024
STAFF_ROLES = (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.MANAGER)


class WorklistFilterForm(forms.Form):
    """Filters of a worklist tab; an invalid value shows a message and an empty list."""

    q = forms.CharField(label=_("Tìm theo mã hồ sơ, tên, số định danh"), required=False)
    procedure = forms.ChoiceField(label=_("Thủ tục"), required=False)
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *Status.choices],
    )
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"), required=False, choices=[("", _("Tất cả")), *Channel.choices]
    )
    date_from = BoundedDateField(label=_("Nộp từ ngày"), required=False)
    date_to = BoundedDateField(label=_("Đến ngày"), required=False)
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[("due", _("Hạn trả gần nhất trước")), ("-due", _("Hạn trả xa nhất trước"))],
    )

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("Tất cả"))] + [
            (code, f"{code} - {name}") for code, name in procedures
        ]
        for name in ("q",):
            self.fields[name].widget.attrs.update({"type": "search", "maxlength": 100})

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("“Nộp từ ngày” phải trước hoặc bằng “Đến ngày”."))
        return data

    @staticmethod
    def local_bounds(start: dt.date | None, end: dt.date | None):
        """The UTC instants of [start 00:00, end+1 00:00) in Vietnamese local time."""
        lo = dt.datetime.combine(start, dt.time(0), tzinfo=LOCAL_TZ) if start else None
        hi = (
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
            if end
            else None
        )
        return lo, hi


def assignable_staff(unit_ids) -> list[User]:
    """Active staff who may hold a step in these units: specialists first, then the others."""
    rows = (
        StaffAssignment.objects.filter(unit_id__in=unit_ids, is_active=True, role__in=STAFF_ROLES)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    seen: dict[int, tuple[int, User]] = {}
    for row in rows:
        rank = 0 if row.role == Role.SPECIALIST else 1
        if row.user_id not in seen or rank < seen[row.user_id][0]:
            seen[row.user_id] = (rank, row.user)
    return [u for _r, u in sorted(seen.values(), key=lambda x: (x[0], str(x[1])))]


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.username


class BulkAssignForm(forms.Form):
    """Phân công hàng loạt: the open step of each selected dossier goes to one staff member."""

    dossiers = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": _("Chưa chọn hồ sơ nào để phân công.")},
    )
    assignee = _UserChoiceField(
        label=_("Giao cho"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Chọn cán bộ được giao xử lý."),
            "invalid_choice": _("Cán bộ được chọn không thuộc đơn vị của bạn."),
        },
    )

    def __init__(self, *args, staff=(), dossier_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(pk__in=[u.pk for u in staff])
        self.fields["dossiers"].choices = [(pk, pk) for pk in dossier_ids]
        self.fields["dossiers"].error_messages["invalid_choice"] = _(
            "Có hồ sơ được chọn không thuộc danh sách của bạn."
        )


class VersionedForm(forms.Form):
    """Every action form: the version of the dossier the page showed (double-submit guard)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class NoteForm(VersionedForm):
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea({"rows": 2}))


class ApproveSignForm(NoteForm):
    """The leader's confirmation before signing; the PIN field only where the key needs one."""

    confirm = forms.BooleanField(
        label=_("Tôi đã xem dự thảo kết quả và đồng ý phê duyệt, ký số"), required=False
    )
    pin = forms.CharField(
        label=_("Mã PIN của khóa ký số"),
        required=False,
        max_length=64,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, needs_pin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_pin:
            del self.fields["pin"]


class AssignForm(VersionedForm):
    assignee = _UserChoiceField(
        label=_("Giao cho"),
        queryset=User.objects.none(),
        error_messages={"required": _("Chọn cán bộ được giao xử lý.")},
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(pk__in=[u.pk for u in staff])


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Lý do"),
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Phải ghi rõ lý do.")},
    )


class SupplementForm(VersionedForm):
    items = forms.CharField(
        label=_("Nội dung cần bổ sung (mỗi dòng một giấy tờ)"),
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Phải liệt kê đầy đủ các nội dung cần bổ sung.")},
    )
    reason = forms.CharField(
        label=_("Lý do"),
        widget=forms.Textarea({"rows": 2}),
        error_messages={"required": _("Phải ghi rõ lý do yêu cầu bổ sung.")},
    )

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class FinancialObligationForm(VersionedForm):
    amount_vnd = forms.IntegerField(
        label=_("Số tiền (đồng)"),
        min_value=1,
        max_value=10**13,
        error_messages={
            "required": _("Nhập số tiền phải nộp."),
            "invalid": _("Số tiền phải là số nguyên (đồng)."),
            "min_value": _("Số tiền phải là số nguyên dương (đồng)."),
        },
    )
    note = forms.CharField(label=_("Nội dung"), required=False)


class PaymentForm(VersionedForm):
    paid_online = forms.BooleanField(
        label=_("Nộp trực tuyến (qua Cổng thanh toán)"), required=False
    )
    reference = forms.CharField(
        label=_("Số biên lai / mã giao dịch"), required=False, max_length=80
    )


def _pdf_upload_field(label):
    return forms.FileField(
        label=label,
        error_messages={"required": _("Vui lòng chọn tệp PDF."), "empty": _("Tệp rỗng.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def check_pdf(upload) -> bytes:
    """The bytes of an uploaded PDF, judged by content (not by name or browser-sent type)."""
    if upload.size > MAX_PDF_BYTES:
        raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
    data = upload.read()
    try:
        pdfs.check_pdf(data)  # parsed as the signer will read it: encrypted or damaged refused
    except pdfs.PdfRefused as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from exc
    return data


class ResultUploadForm(VersionedForm):
    file = _pdf_upload_field(_("Văn bản kết quả (PDF)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.pdf_bytes = check_pdf(upload)
        return upload


class StopForm(ReasonForm):
    letter = _pdf_upload_field(_("Thông báo dừng giải quyết (PDF)"))

    def clean_letter(self):
        upload = self.cleaned_data["letter"]
        self.pdf_bytes = check_pdf(upload)
        return upload


class ExtendForm(VersionedForm):
    reason = forms.CharField(
        label=_("Lý do chậm trễ"),
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Gia hạn phải có lý do bằng văn bản.")},
    )
    new_due_date = BoundedDateField(
        label=_("Ngày hẹn trả mới"),
        error_messages={
            "required": _("Chọn ngày hẹn trả mới."),
            "invalid": _("Ngày không hợp lệ."),
        },
    )

    def new_due_at(self, current_due: dt.datetime) -> dt.datetime:
        """The new appointment keeps the time of day of the current one (local time)."""
        local = current_due.astimezone(LOCAL_TZ)
        return dt.datetime.combine(self.cleaned_data["new_due_date"], local.timetz())


class TransferForm(VersionedForm):
    to_unit = forms.ModelChoiceField(
        label=_("Chuyển đến đơn vị"),
        queryset=Unit.objects.none(),
        error_messages={
            "required": _("Chọn đơn vị nhận hồ sơ."),
            "invalid_choice": _("Đơn vị được chọn không hợp lệ."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do"),
        widget=forms.Textarea({"rows": 2}),
        error_messages={"required": _("Phải ghi rõ lý do chuyển liên thông.")},
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["to_unit"].queryset = units
