"""The one rating form used on the phone and on the counter tablet."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Level, Reason


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        choices=Level.choices,
        error_messages={
            "required": _("Xin chọn một mức: Rất hài lòng, Hài lòng hoặc Không hài lòng."),
            "invalid_choice": _("Xin chọn một mức: Rất hài lòng, Hài lòng hoặc Không hài lòng."),
        },
    )
    reason = forms.ChoiceField(
        label=_("Vì sao bạn chưa hài lòng?"),
        choices=Reason.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Lý do không hợp lệ.")},
    )
    comment = forms.CharField(
        label=_("Ý kiến của bạn"),
        required=False,
        max_length=services.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Ý kiến dài quá 1000 ký tự.")},
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            level, reason, comment = services.clean_answer(
                level=data["level"], reason=data.get("reason", ""), comment=data.get("comment", "")
            )
        except ValidationError as exc:
            target = {"reason_required": "reason", "comment_required": "comment"}.get(exc.code)
            self.add_error(target, exc.messages[0])
            return data
        data.update(level=level, reason=reason, comment=comment)
        return data

    @property
    def wants_reason(self) -> bool:
        """The reason step is open: "not satisfied" was chosen (and is being explained)."""
        return self.is_bound and self.data.get("level") == Level.NOT_SATISFIED

    def first_error(self) -> str:
        for errors in self.errors.values():
            return errors[0]
        return ""
