from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core.forms import BoundedDateField


class LogFilterForm(forms.Form):
    tu = BoundedDateField(label=gettext_lazy("Từ ngày"), required=False)
    den = BoundedDateField(label=gettext_lazy("Đến ngày"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("tu"), data.get("den")
        if start and end and end < start:
            raise ValidationError(_("“Đến ngày” phải sau “Từ ngày”."))
        return data


class LookupForm(forms.Form):
    """What the counter screen posts to the lookup endpoint."""

    citizen_id = forms.CharField(max_length=40)
    purpose = forms.ChoiceField(
        choices=[("reception", "reception"), ("assisted_filing", "assisted_filing")],
        required=False,
    )
