"""Forms of the counter screen: reception, refusal, supplements, returning results, the book.

Uploaded scans are checked by their content, not by the name the browser sent: a file
called "giay-to.pdf" that is really a PNG, or garbage, is refused with a clear message, and
a PDF is parsed (`documents.pdfs`: a password-protected or damaged one is refused), so the
dossier never holds a file no one can open.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog import cases
from motcua.catalog.models import Component, Procedure
from motcua.core import identifiers
from motcua.core.forms import MAX_ID, BoundedDateField
from motcua.documents import pdfs
from motcua.postal import services as postal_services

from .models import ApplicantKind, CollectedBy, Delivery, IdentityVia, validate_applicant_id

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_LINES = 30
_SIGNATURES = (
    (b"%PDF-", "pdf", "PDF"),
    (b"\xff\xd8\xff", "jpeg", "JPEG"),
    (b"\x89PNG", "png", "PNG"),
)
_EXTENSIONS = {"pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg", "png": "png"}
COUNTER_DELIVERIES = [
    (Delivery.COUNTER.value, Delivery.COUNTER.label),
    (Delivery.POST.value, Delivery.POST.label),
]
# at return, also online: the signed result of a dossier whose applicant asked for it online
# (the screens offer it only then; `services.return_result` refuses it otherwise)
RETURN_DELIVERIES = [*COUNTER_DELIVERIES, (Delivery.ONLINE.value, Delivery.ONLINE.label)]


def sniff(upload) -> str | None:
    """'pdf' / 'jpeg' / 'png' from the file's first bytes, None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, kind, _label in _SIGNATURES:
        if head.startswith(magic):
            return kind
    return None


def check_scan(upload) -> None:
    """At most 10 MB, and really a PDF, JPEG or PNG (the name's extension must agree)."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Tệp “%(name)s” lớn hơn 10 MB.") % {"name": upload.name})
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).")
            % {"name": upload.name}
        )
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    claimed = _EXTENSIONS.get(ext)
    if claimed != kind:
        raise ValidationError(
            _("Tệp “%(name)s” có đuôi không khớp với nội dung (nội dung là %(kind)s).")
            % {"name": upload.name, "kind": kind.upper()}
        )
    if kind == "pdf":
        upload.seek(0)
        try:
            pdfs.check_pdf(upload.read())
        except pdfs.PdfRefused as exc:
            raise ValidationError(
                _("Tệp “%(name)s”: %(reason)s") % {"name": upload.name, "reason": exc.message},
                code=exc.code,
            ) from exc
        finally:
            upload.seek(0)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()][:MAX_LINES]


class ReceptionForm(forms.Form):
    """Applicant, identity check, the components checklist with scans, result delivery.

    One checklist row per component of the procedure: fields `c<id>_received`, `c<id>_form`,
    `c<id>_count`, `c<id>_file`. Components the state already holds are shown, not asked.
    When the procedure has cases (catalog/cases.py): `fee_case` (one of the fee alternatives)
    and `conditions` (which component conditions hold). Only papers without a condition are
    ticked at first; whether a case must be chosen is the service's rule (`fees_in_force`).
    """

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    applicant_kind = forms.TypedChoiceField(
        label=gettext_lazy("Đối tượng"),
        choices=ApplicantKind.choices,
        coerce=int,
        initial=ApplicantKind.CITIZEN,
    )
    applicant_name = forms.CharField(label=gettext_lazy("Họ tên / tên tổ chức"), max_length=200)
    applicant_id_number = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân / mã số thuế"), max_length=20
    )
    applicant_phone = forms.CharField(
        label=gettext_lazy("Điện thoại"), max_length=20, required=False
    )
    applicant_address = forms.CharField(
        label=gettext_lazy("Địa chỉ"), max_length=300, required=False
    )
    applicant_email = forms.EmailField(label=gettext_lazy("Thư điện tử"), required=False)
    # the population database is not a choice: it is recorded when a lookup confirms the
    # applicant (`registry_lookup`, the id the lookup endpoint returned; services decide)
    identity_via = forms.ChoiceField(
        label=gettext_lazy("Đã xác thực định danh"),
        choices=[c for c in IdentityVia.choices if c[0] != IdentityVia.POPULATION_DB],
        initial=IdentityVia.NONE,
    )
    registry_lookup = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID
    )
    delivery = forms.ChoiceField(
        label=gettext_lazy("Nhận kết quả"),
        choices=COUNTER_DELIVERIES,
        initial=Delivery.COUNTER,
        widget=forms.RadioSelect,
    )
    refusal_reason = forms.CharField(
        label=gettext_lazy("Lý do từ chối (nếu từ chối)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args,
        procedure: Procedure,
        fee_choice: cases.FeeChoice | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.fee_choice = fee_choice or cases.FeeChoice()
        self.components = list(procedure.components.all())
        if self.fee_choice.options:
            self.fields["fee_case"] = forms.ChoiceField(
                label=gettext_lazy("Trường hợp thu phí, lệ phí"),
                choices=[(c, c) for c in self.fee_choice.cases],
                required=False,  # the service says, in Vietnamese, that one must be chosen
                widget=forms.RadioSelect,
            )
        self.conditions = cases.conditions_of(self.components, fee_cases=self.fee_choice.cases)
        if self.conditions:
            self.fields["conditions"] = forms.MultipleChoiceField(
                label=gettext_lazy("Trường hợp của hồ sơ (nếu có)"),
                choices=[(c, c) for c in self.conditions],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        for c in self.components:
            if c.from_state_data:
                continue
            p = f"c{c.pk}_"
            self.fields[p + "received"] = forms.BooleanField(
                required=False, initial=not c.condition.strip()
            )
            self.fields[p + "form"] = forms.ChoiceField(
                choices=Component.Form.choices, initial=c.form
            )
            self.fields[p + "count"] = forms.IntegerField(
                min_value=1, max_value=99, initial=c.count or 1
            )
            self.fields[p + "file"] = forms.FileField(required=False)

    def fee_options(self) -> list[dict]:
        """The fee alternatives with their radio button, for the template."""
        if "fee_case" not in self.fields:
            return []
        radios = {str(r.data["value"]): r for r in self["fee_case"]}
        return [{"option": o, "radio": radios[o.case]} for o in self.fee_choice.options]

    def chosen_case(self) -> str:
        return self.cleaned_data.get("fee_case") or ""

    def chosen_conditions(self) -> list[str]:
        return list(self.cleaned_data.get("conditions") or [])

    def rows(self) -> list[dict]:
        """What the checklist template iterates over."""
        out = []
        for c in self.components:
            p = f"c{c.pk}_"
            if c.from_state_data:
                out.append({"component": c, "state_has_it": True})
                continue
            out.append(
                {
                    "component": c,
                    "state_has_it": False,
                    "received": self[p + "received"],
                    "form": self[p + "form"],
                    "count": self[p + "count"],
                    "file": self[p + "file"],
                }
            )
        return out

    def clean_applicant_name(self) -> str:
        return " ".join(self.cleaned_data["applicant_name"].split())

    def clean_applicant_id_number(self) -> str:
        return "".join(self.cleaned_data["applicant_id_number"].split())

    def clean_applicant_phone(self) -> str:
        phone = self.cleaned_data["applicant_phone"].strip()
        return identifiers.phone(phone, mobile=False) if phone else ""

    def clean(self):
        data = super().clean()
        kind, number = data.get("applicant_kind"), data.get("applicant_id_number")
        if kind is not None and number is not None:
            try:
                validate_applicant_id(kind, number)
            except ValidationError as exc:
                for message in exc.message_dict.get("applicant_id_number", exc.messages):
                    self.add_error("applicant_id_number", message)
        if data.get("delivery") == Delivery.POST and "applicant_address" in data:
            try:  # the post delivers to the applicant's address (postal app)
                data["applicant_address"] = postal_services.clean_address(data["applicant_address"])
            except ValidationError as exc:
                self.add_error("applicant_address", exc)
        for c in self.components:
            upload = data.get(f"c{c.pk}_file")
            if upload:
                try:
                    check_scan(upload)
                except ValidationError as exc:
                    self.add_error(f"c{c.pk}_file", exc)
        return data

    def received_components(self) -> list[dict]:
        """Rows to store: ticked components (with their scan) and what the state holds."""
        out = []
        for c in self.components:
            p = f"c{c.pk}_"
            if c.from_state_data:
                out.append({"name": c.name, "form": c.form, "count": c.count, "state": True})
            elif self.cleaned_data.get(p + "received"):
                out.append(
                    {
                        "pk": c.pk,
                        "name": c.name,
                        "form": self.cleaned_data[p + "form"],
                        "count": self.cleaned_data[p + "count"],
                        "file": self.cleaned_data.get(p + "file"),
                        "state": False,
                    }
                )
        return out


class ReasonForm(forms.Form):
    """Refusal of a dossier already in the system (an online one, or just received)."""

    reason = forms.CharField(
        label=gettext_lazy("Lý do từ chối tiếp nhận"),
        max_length=2000,
        error_messages={"required": gettext_lazy("Phải ghi rõ lý do từ chối tiếp nhận.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SupplementForm(forms.Form):
    """Everything missing in one list ("hướng dẫn đầy đủ trong một lần"), one item a line."""

    items = forms.CharField(
        label=gettext_lazy("Nội dung cần bổ sung (mỗi dòng một nội dung)"),
        max_length=4000,
        error_messages={"required": gettext_lazy("Phải liệt kê đầy đủ các nội dung cần bổ sung.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Phải ghi rõ lý do yêu cầu bổ sung.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_items(self) -> list[str]:
        items = _lines(self.cleaned_data["items"])
        if not items:
            raise ValidationError(_("Phải liệt kê đầy đủ các nội dung cần bổ sung."))
        return items


class ResubmitForm(forms.Form):
    """The applicant brought what was asked: one optional scan per requested item."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, items: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for i, _item in enumerate(self.items):
            self.fields[f"item{i}_file"] = forms.FileField(required=False)

    def rows(self) -> list[dict]:
        return [{"item": item, "file": self[f"item{i}_file"]} for i, item in enumerate(self.items)]

    def clean(self):
        data = super().clean()
        for i in range(len(self.items)):
            upload = data.get(f"item{i}_file")
            if upload:
                try:
                    check_scan(upload)
                except ValidationError as exc:
                    self.add_error(f"item{i}_file", exc)
        return data


class ReturnForm(forms.Form):
    """Trả kết quả: at the counter (to the applicant or a person they authorised), by public
    post with its tracking number, or online (the signed result, in the applicant's own space).
    The collector's details and when online is allowed are checked by the service."""

    delivery = forms.ChoiceField(
        label=gettext_lazy("Hình thức trả"),
        choices=RETURN_DELIVERIES,
        initial=Delivery.COUNTER,
        widget=forms.RadioSelect,
    )
    tracking_number = forms.CharField(
        label=gettext_lazy("Số vận đơn bưu chính"), max_length=40, required=False
    )
    collected_by_kind = forms.ChoiceField(
        label=gettext_lazy("Người nhận kết quả"),
        choices=CollectedBy.choices,
        initial=CollectedBy.APPLICANT,
        required=False,
        widget=forms.RadioSelect,
    )
    collector_name = forms.CharField(
        label=gettext_lazy("Họ tên người nhận"), max_length=200, required=False
    )
    collector_id_number = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân người nhận"), max_length=20, required=False
    )
    authorisation_note = forms.CharField(
        label=gettext_lazy("Giấy ủy quyền (số, ngày, người ủy quyền)"),
        max_length=300,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("delivery") == Delivery.POST and not (data.get("tracking_number") or ""):
            self.add_error("tracking_number", _("Trả kết quả qua bưu chính phải có số vận đơn."))
        if data.get("delivery") == Delivery.COUNTER:
            # the quick form of the list hands the result to the applicant in person
            data["collected_by_kind"] = data.get("collected_by_kind") or CollectedBy.APPLICANT
        else:
            data["collected_by_kind"] = ""
            data["collector_name"] = data["collector_id_number"] = ""
            data["authorisation_note"] = ""
        return data


class TrackingBookForm(forms.Form):
    """A period of the tracking book, both ends inclusive, at most a year."""

    tu = BoundedDateField(label=gettext_lazy("Từ ngày"), required=False)
    den = BoundedDateField(label=gettext_lazy("Đến ngày"), required=False)
    dinh_dang = forms.ChoiceField(
        choices=[("", "HTML"), ("pdf", "PDF"), ("xlsx", "XLSX")], required=False
    )

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        start = self.cleaned_data.get("tu") or today.replace(day=1)
        end = self.cleaned_data.get("den") or today
        return start, end

    def clean(self):
        data = super().clean()
        if not self.errors:
            start, end = self.period()
            if end < start:
                raise ValidationError(_("“Đến ngày” phải sau “Từ ngày”."))
            if (end - start).days > 366:
                raise ValidationError(_("Mỗi lần in sổ tối đa một năm."))
        return data
