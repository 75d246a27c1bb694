"""The local copy of the population data (synthetic, docs/data-sources.md) and the lookup log.

`Household` and `Resident` stand in for the national population database (Cơ sở dữ liệu quốc
gia về dân cư) in development, tests and the demo: the generator (`registry.population`) fills
them; nothing else writes them. `RegistryLookup` is the append-only record of who looked up
whom, why and with what result (the full citizen ID is kept here on purpose: this row is the
audit of a read of personal data; logs and the audit chain carry only its last digits).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Unit, Village


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Relation(models.TextChoices):
    """Quan hệ với chủ hộ, as the household record states it."""

    HEAD = "Chủ hộ", _("Chủ hộ")
    WIFE = "Vợ", _("Vợ")
    HUSBAND = "Chồng", _("Chồng")
    CHILD = "Con", _("Con")
    FATHER = "Cha", _("Cha")
    MOTHER = "Mẹ", _("Mẹ")
    DAUGHTER_IN_LAW = "Con dâu", _("Con dâu")
    GRANDCHILD = "Cháu", _("Cháu")


class Household(models.Model):
    """Hộ gia đình: the people registered at one permanent residence, one of them the head."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("thôn/tổ dân phố"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField(_("mã hộ"), max_length=20, unique=True)
    address = models.CharField(_("địa chỉ thường trú"), max_length=300)

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")

    def __str__(self) -> str:
        return self.code


class Resident(models.Model):
    """Công dân in the local population data (synthetic): one row per person."""

    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, unique=True)
    full_name = models.CharField(_("họ, chữ đệm và tên"), max_length=120)
    date_of_birth = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    ethnicity = models.CharField(_("dân tộc"), max_length=40, default="Kinh")
    hometown = models.CharField(_("quê quán"), max_length=300)
    permanent_residence = models.CharField(_("nơi thường trú"), max_length=300)
    current_residence = models.CharField(_("nơi ở hiện tại"), max_length=300)
    unit = models.ForeignKey(
        Unit, verbose_name=_("xã/phường thường trú"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("thôn/tổ dân phố"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.CASCADE, related_name="members"
    )
    relation = models.CharField(_("quan hệ với chủ hộ"), max_length=20, choices=Relation.choices)
    # what the population database holds about the parents and the spouse: name and ID
    father_id = models.CharField(_("số định danh của cha"), max_length=12, blank=True)
    father_name = models.CharField(_("họ tên cha"), max_length=120, blank=True)
    mother_id = models.CharField(_("số định danh của mẹ"), max_length=12, blank=True)
    mother_name = models.CharField(_("họ tên mẹ"), max_length=120, blank=True)
    spouse_id = models.CharField(_("số định danh của vợ/chồng"), max_length=12, blank=True)
    spouse_name = models.CharField(_("họ tên vợ/chồng"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("công dân (dữ liệu mẫu)")
        verbose_name_plural = _("công dân (dữ liệu mẫu)")
        indexes = [models.Index(fields=["unit", "village"])]

    def __str__(self) -> str:
        return self.full_name


class Purpose(models.TextChoices):
    RECEPTION = "reception", _("Xác thực danh tính khi tiếp nhận")
    EFORM_PREFILL = "eform_prefill", _("Điền sẵn tờ khai điện tử")
    ASSISTED_FILING = "assisted_filing", _("Hỗ trợ nộp hồ sơ trực tuyến")
    SIGN_IN = "sign_in", _("Đăng nhập bằng định danh điện tử")


class Outcome(models.TextChoices):
    FOUND = "found", _("Tìm thấy")
    NOT_FOUND = "not_found", _("Không tìm thấy")
    UNAVAILABLE = "unavailable", _("CSDL dân cư không phản hồi")


class RegistryLookup(models.Model):
    """Nhật ký tra cứu CSDL dân cư: one row per lookup, never changed or deleted."""

    unit_scope_field = "unit"

    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tra cứu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("tài khoản"), max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    purpose = models.CharField(_("mục đích"), max_length=20, choices=Purpose.choices)
    citizen_id = models.CharField(_("số định danh được tra cứu"), max_length=12)
    outcome = models.CharField(_("kết quả"), max_length=12, choices=Outcome.choices)
    backend = models.CharField(_("nguồn"), max_length=40)
    # keyed digest of the found person's name (diacritics folded): the reception checks the
    # name typed on the dossier against it without asking the registry again or storing the name
    name_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("lượt tra cứu CSDL dân cư")
        verbose_name_plural = _("nhật ký tra cứu CSDL dân cư")
        indexes = [models.Index(fields=["unit", "-at"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · …{self.citizen_id[-4:]}"

    @property
    def found(self) -> bool:
        return self.outcome == Outcome.FOUND
