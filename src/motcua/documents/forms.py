"""Public verification forms: upload a PDF, or type the code printed under the QR stamp."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import normalise_code

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CODE_RE = re.compile(r"^[0-9A-Z]{12,40}$")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        help_text=_("Tối đa 10 MB. Tệp được kiểm tra rồi bỏ đi, hệ thống không lưu lại."),
        error_messages={
            "required": _("Vui lòng chọn tệp PDF cần kiểm tra."),
            "empty": _("Tệp bạn chọn rỗng."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn: tối đa 10 MB."))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":  # judged by content, not by the name or the browser's type
            raise forms.ValidationError(
                _("Tệp không phải là văn bản PDF. Vui lòng chọn đúng tệp kết quả (.pdf).")
            )
        return upload


class CodeForm(forms.Form):
    ma = forms.CharField(
        label=_("Mã xác thực"),
        max_length=60,
        help_text=_("In cạnh mã QR trên văn bản, ví dụ: 7K3M9QXT2VPA4HRD."),
        error_messages={"required": _("Vui lòng nhập mã xác thực.")},
    )

    def clean_ma(self):
        code = normalise_code(self.cleaned_data["ma"])
        if not CODE_RE.match(code):
            raise forms.ValidationError(_("Mã xác thực gồm 16 chữ cái và chữ số, in cạnh mã QR."))
        return code
