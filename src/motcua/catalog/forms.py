"""Forms of the staff catalog pages: the import upload and the list filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Unit

from .importing import MAX_FILE_BYTES
from .models import Field


class ImportForm(forms.Form):
    """Upload one catalog file for one unit the user administers."""

    file = forms.FileField(
        label=_("Tệp danh mục (.json hoặc .xlsx)"),
        help_text=_("Tối đa 5 MB. Định dạng như tệp xuất từ trang này."),
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị công bố"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Bạn không quản trị đơn vị này.")},
    )
    publish = forms.BooleanField(
        label=_("Công khai ngay các thủ tục nhập vào"),
        required=False,
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn: tối đa 5 MB."))
        if upload.size == 0:
            raise forms.ValidationError(_("Tệp rỗng."))
        return upload


class StaffFilterForm(forms.Form):
    """Filters of the staff list; unknown values are ignored rather than shown as errors."""

    PUBLISHED_CHOICES = [("", _("Tất cả")), ("1", _("Đã công khai")), ("0", _("Bản nháp"))]

    q = forms.CharField(label=_("Tìm theo tên hoặc mã"), required=False, max_length=200)
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Tất cả lĩnh vực"),
    )
    published = forms.ChoiceField(label=_("Trạng thái"), choices=PUBLISHED_CHOICES, required=False)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Tất cả đơn vị"),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
