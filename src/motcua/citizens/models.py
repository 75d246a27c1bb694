"""A citizen's identity as the national digital identity provider vouched for it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core import identifiers


def _valid_citizen_id(value: str) -> None:
    identifiers.citizen_id(value)


class CitizenIdentity(models.Model):
    """Who signed in: one per (issuer, sub), one-to-one with a citizen `User`.

    The claims are refreshed at every sign-in: the provider is the source of truth."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Nữ")
        MALE = "male", _("Nam")

    class Level(models.IntegerChoices):
        ONE = 1, _("Mức 1")
        TWO = 2, _("Mức 2")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.PROTECT,
        related_name="citizen_identity",
    )
    issuer = models.CharField(_("nhà cung cấp định danh"), max_length=255)
    subject = models.CharField(_("mã định danh tại nhà cung cấp (sub)"), max_length=255)
    citizen_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, validators=[_valid_citizen_id], db_index=True
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices, blank=True)
    address = models.CharField(_("nơi cư trú"), max_length=500, blank=True)
    identity_level = models.PositiveSmallIntegerField(
        _("mức định danh"), choices=Level.choices, default=Level.ONE
    )
    created_at = models.DateTimeField(_("lần đầu đăng nhập"), auto_now_add=True)
    last_signed_in_at = models.DateTimeField(_("đăng nhập gần nhất"))

    class Meta:
        verbose_name = _("định danh công dân")
        verbose_name_plural = _("định danh công dân")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="citizen_issuer_subject"),
            models.CheckConstraint(
                condition=models.Q(identity_level__in=[1, 2]), name="citizen_identity_level"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name
