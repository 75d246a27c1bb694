"""Administrative units, their inner structure, the official calendar and the audit log.

`core` imports no other app: everything else points at these rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """Đơn vị hành chính: a province or a commune/ward/special zone (two-level since 1/7/2025).

    `district` rows are kept only for historical records (legacy three-level structure).
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/Thành phố")
        COMMUNE = "commune", _("Xã")
        WARD = "ward", _("Phường")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")
        DISTRICT = "district", _("Huyện (cũ)")

    code = models.CharField(
        _("mã đơn vị hành chính"),
        max_length=10,
        unique=True,
        help_text=_("Mã theo danh mục đơn vị hành chính (GSO)."),
    )
    agency_code = models.CharField(
        _("mã định danh điện tử"),
        max_length=40,
        blank=True,
        help_text=_("Mã định danh theo QĐ 20/2020/QĐ-TTg, dùng làm tiền tố mã hồ sơ."),
    )
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    address = models.CharField(_("địa chỉ trụ sở"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    opens_saturday_morning = models.BooleanField(
        _("tiếp nhận sáng thứ Bảy"),
        default=False,
        help_text=_("Chỉ mở cửa tiếp nhận; không thay đổi cách tính ngày làm việc."),
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def province(self) -> "Unit":
        unit = self
        while unit.parent_id is not None and unit.kind != self.Kind.PROVINCE:
            unit = unit.parent
        return unit


class Village(models.Model):
    """Thôn, ấp, xóm, bản, tổ dân phố: where a community digital-tech team works."""

    class Kind(models.TextChoices):
        THON = "thon", _("Thôn")
        AP = "ap", _("Ấp")
        XOM = "xom", _("Xóm")
        BAN = "ban", _("Bản")
        TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
        KHU_PHO = "khu_pho", _("Khu phố")

    unit = models.ForeignKey(
        Unit, verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="villages"
    )
    name = models.CharField(_("tên"), max_length=120)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.THON)
    population = models.PositiveIntegerField(_("dân số"), default=0)
    working_age_population = models.PositiveIntegerField(
        _("dân số trong độ tuổi lao động"), default=0
    )
    # The plans' "50% of adults use online services" needs the adults (18+); the three counts
    # are the denominators of the village figures, so where they come from is kept with them.
    adult_population = models.PositiveIntegerField(_("dân số từ 18 tuổi trở lên"), default=0)
    population_source = models.CharField(
        _("nguồn số liệu dân số"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Công an xã, CSDL quốc gia về dân cư; báo cáo số ..."),
    )
    population_as_of = models.DateField(_("số liệu dân số tính đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("thôn/tổ dân phố")
        verbose_name_plural = _("thôn/tổ dân phố")
        ordering = ["unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="village_unique_name_per_unit"),
        ]

    def __str__(self) -> str:
        kind = str(self.get_kind_display())
        # "Thôn 1" is already a full name; "Đông" needs its kind in front
        return self.name if self.name.lower().startswith(kind.lower()) else f"{kind} {self.name}"


class Department(models.Model):
    """Phòng, ban of a unit, or its public administrative service centre (TTPVHCC)."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("Văn phòng HĐND và UBND")
        ECONOMY = "economy", _("Phòng Kinh tế")
        CULTURE_SOCIETY = "culture_society", _("Phòng Văn hóa - Xã hội")
        SERVICE_CENTRE = "service_centre", _("Trung tâm phục vụ hành chính công")
        OTHER = "other", _("Khác")

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="departments"
    )
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        verbose_name = _("phòng, ban")
        verbose_name_plural = _("phòng, ban")
        ordering = ["unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="department_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """Quầy giao dịch at a unit's public administrative service centre."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="counters"
    )
    number = models.PositiveSmallIntegerField(_("số quầy"))
    name = models.CharField(_("tên quầy"), max_length=120)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    class Meta:
        verbose_name = _("quầy giao dịch")
        verbose_name_plural = _("quầy giao dịch")
        ordering = ["unit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="counter_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{_('Quầy')} {self.number}: {self.name}"


class CalendarException(models.Model):
    """An official deviation from the usual Mon-Fri calendar (ngày nghỉ/ngày làm bù).

    Public holidays come from the `holidays` package; this table adds what each year's
    government announcement decides on top: extra days off (e.g. days bridging Tết) and
    compensatory working days such as a swapped Saturday. A row with a unit applies to that
    unit (and its communes, for a province) only.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nội dung"), max_length=200)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("chỉ áp dụng cho đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_exceptions",
    )

    class Meta:
        verbose_name = _("ngày nghỉ/làm bù")
        verbose_name_plural = _("ngày nghỉ/làm bù")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "unit"], name="calendar_exception_unique"),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(unit=None),
                name="calendar_exception_unique_national",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}: {self.name}"


class AuditEvent(models.Model):
    """Nhật ký: one append-only, hash-chained row per state change.

    Written by `motcua.core.audit.record` inside the transaction of the change itself.
    `hash` covers this row's content and the hash of the previous row of the same chain (one per
    unit), so an edit, deletion or reordering anywhere breaks it (`manage.py audit_verify`).
    """

    created_at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("người thực hiện (tên lúc ghi)"), max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(_("hành động"), max_length=80)
    object_type = models.CharField(_("loại đối tượng"), max_length=80)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=200, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    # One chain per unit (0: events without a unit, and every event written before chains were
    # split), so communes append in parallel; each chain is verified on its own.
    chain = models.PositiveIntegerField(_("chuỗi"), default=0, editable=False)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["unit", "created_at"]),
            models.Index(fields=["chain", "id"], name="audit_chain_head"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class RateCounter(models.Model):
    """One rate-limit window's count, for installs whose cache is the database.

    Django's database cache has no atomic increment (it reads, then writes), so a burst of
    requests would all read the same count. `motcua.core.ratelimit` counts here instead with one
    INSERT ... ON CONFLICT DO UPDATE ... RETURNING statement (decisions/0019). `name` is the
    window's HMAC'd key: no phone number or address in clear. Rows of past windows are purged by
    `core.tasks.purge_rate_counters`.
    """

    name = models.CharField(max_length=200, primary_key=True)
    hits = models.IntegerField(default=0)
    expires = models.FloatField(db_index=True)  # epoch seconds: the end of the window

    class Meta:
        verbose_name = _("bộ đếm giới hạn truy cập")
        verbose_name_plural = _("bộ đếm giới hạn truy cập")

    def __str__(self) -> str:
        return f"{self.name}: {self.hits}"
