from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = _("Đánh giá mức độ hài lòng")

    def ready(self) -> None:
        from . import invitations  # noqa: F401  registers the rating invitation on a return
