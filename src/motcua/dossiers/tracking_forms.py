"""The public lookup form: a dossier code plus the last 4 digits of the applicant's ID or phone.

Only the *shape* of the input is judged here (a malformed code is a form error, which tells
nothing about which codes exist); whether the pair matches a dossier is the view's business.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# <agency code>-<yymmdd>-<daily sequence>: 000.00.12.H23-261122-0001 (the agency part may also
# be a plain administrative code such as 10507; past 9999 a day the sequence grows to 5 digits)
CODE_RE = re.compile(r"^[0-9A-Z][0-9A-Z.]{0,39}-[0-9]{6}-[0-9]{4,6}$")
DIGITS_RE = re.compile(r"^[0-9]{4}$")  # ASCII digits only, not any Unicode digit
MAX_CODE_LENGTH = 60


def normalise_code(raw: str) -> str:
    """What people type or the QR carries: spaces and lower case are forgiven."""
    return re.sub(r"\s+", "", raw or "").upper()[: MAX_CODE_LENGTH + 1]


class LookupForm(forms.Form):
    ma = forms.CharField(
        label=_("Mã hồ sơ"),
        help_text=_("In trên giấy tiếp nhận và hẹn trả kết quả, ví dụ: 000.00.12.H23-261122-0001."),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ.")},
    )
    so = forms.CharField(
        label=_("4 số cuối số định danh cá nhân (hoặc số điện thoại)"),
        help_text=_("Của người nộp hồ sơ, ví dụ số định danh 001203004567 thì nhập 4567."),
        error_messages={"required": _("Vui lòng nhập 4 số cuối.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # length and NUL checks are the format checks below, with one clear Vietnamese message
        for name in ("ma", "so"):
            self.fields[name].validators = []

    def clean_ma(self) -> str:
        code = normalise_code(self.cleaned_data["ma"])
        if len(code) > MAX_CODE_LENGTH or not CODE_RE.match(code):
            raise forms.ValidationError(
                _(
                    "Mã hồ sơ không đúng định dạng. Mã in trên giấy hẹn có dạng "
                    "000.00.12.H23-261122-0001."
                )
            )
        return code

    def clean_so(self) -> str:
        digits = re.sub(r"\s+", "", self.cleaned_data["so"])[:20]
        if not DIGITS_RE.match(digits):
            raise forms.ValidationError(_("Vui lòng nhập đúng 4 chữ số."))
        return digits
