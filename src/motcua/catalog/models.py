"""The procedure catalog (danh mục thủ tục hành chính) a unit publishes.

A procedure belongs to the unit that publishes it (a province publishes for its communes,
a commune may publish its own list). Drafts (`is_published=False`) are visible to staff of
that unit only.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.core.models import Department, Unit
from motcua.core.text import fold


class Field(models.Model):
    """Lĩnh vực: civil status, certification, land, ..."""

    code = models.SlugField(_("mã lĩnh vực"), max_length=60, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính with everything a citizen needs before filing."""

    unit_scope_field = "unit"

    class Level(models.TextChoices):
        COMMUNE = "commune", _("Cấp xã")
        PROVINCE = "province", _("Cấp tỉnh")
        CENTRAL = "central", _("Cấp trung ương")

    class OnlineMode(models.TextChoices):
        FULL = "full", _("Toàn trình")
        PARTIAL = "partial", _("Một phần")
        NONE = "none", _("Không trực tuyến")
        UNKNOWN = "unknown", _("Chưa xác định")

    class TimeUnit(models.TextChoices):
        WORKING_DAY = "working_day", _("ngày làm việc")
        CALENDAR_DAY = "calendar_day", pgettext_lazy("đơn vị thời hạn", "ngày")

    class Confidence(models.TextChoices):
        VERIFIED = "verified", _("Đã đối chiếu nguồn")
        PARTIAL = "partial", _("Một phần có nguồn")
        RECALLED = "recalled", _("Chưa có nguồn")

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị công bố"), on_delete=models.PROTECT, related_name="procedures"
    )
    code = models.CharField(
        _("mã thủ tục"),
        max_length=40,
        help_text=_("Mã TTHC trên Cơ sở dữ liệu quốc gia, ví dụ 1.001193."),
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(
        _("cấp thực hiện"), max_length=20, choices=Level.choices, default=Level.COMMUNE
    )
    competent_agency = models.CharField(_("cơ quan có thẩm quyền"), max_length=300, blank=True)
    implementing_agency = models.CharField(_("cơ quan thực hiện"), max_length=300, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("phòng, ban xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    online_mode = models.CharField(
        _("mức độ trực tuyến"),
        max_length=10,
        choices=OnlineMode.choices,
        default=OnlineMode.UNKNOWN,
    )
    online_mode_reason = models.CharField(
        _("lý do chỉ một phần/không trực tuyến"), max_length=500, blank=True
    )
    min_identity_level = models.PositiveSmallIntegerField(
        _("mức định danh tối thiểu để nộp trực tuyến"),
        choices=[(1, _("Mức 1")), (2, _("Mức 2"))],
        default=1,
        help_text=_("Mức tài khoản định danh điện tử VNeID công dân cần có để nộp trực tuyến."),
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    processing_days = models.DecimalField(
        _("thời hạn giải quyết (trực tiếp)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    online_processing_days = models.DecimalField(
        _("thời hạn giải quyết (trực tuyến)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Ngắn hơn thời hạn trực tiếp; để trống nếu như nhau."),
    )
    processing_time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    result_type = models.CharField(_("kết quả"), max_length=500, blank=True)
    legal_basis = models.TextField(
        _("căn cứ pháp lý"), blank=True, help_text=_("Mỗi văn bản một dòng.")
    )
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    is_published = models.BooleanField(_("đã công khai"), default=False)
    # What the service index's publicity and payment groups count (QĐ 766, issue 16): the
    # announcement decision and its deadline, the publication on the portal and at the one-stop
    # and its deadline, and whether the fees are published for online payment. Recorded here,
    # where they happen; the index never estimates them (decisions/00XX-service-index-engine).
    announced_on = models.DateField(
        _("ngày công bố"),
        null=True,
        blank=True,
        help_text=_("Ngày ban hành quyết định công bố thủ tục hành chính."),
    )
    announcement_ref = models.CharField(
        _("quyết định công bố"), max_length=200, blank=True, default="", db_default=""
    )
    announce_by = models.DateField(
        _("hạn công bố"),
        null=True,
        blank=True,
        help_text=_("Ngày phải công bố chậm nhất (thường là ngày văn bản quy định có hiệu lực)."),
    )
    published_on = models.DateField(
        _("ngày công khai, cập nhật"),
        null=True,
        blank=True,
        help_text=_(
            "Ngày công khai hoặc cập nhật gần nhất trên Cổng dịch vụ công và tại Bộ phận Một cửa."
        ),
    )
    publish_by = models.DateField(
        _("hạn công khai, cập nhật"),
        null=True,
        blank=True,
        help_text=_("Ngày phải công khai, cập nhật chậm nhất sau khi công bố."),
    )
    fees_payable_online = models.BooleanField(
        _("phí, lệ phí đã công khai để thanh toán trực tuyến"),
        default=False,
        db_default=False,
        help_text=_("Phí, lệ phí đã được cấu hình và công khai để nộp trực tuyến."),
    )
    confidence = models.CharField(
        _("độ tin cậy dữ liệu"),
        max_length=10,
        choices=Confidence.choices,
        default=Confidence.PARTIAL,
    )
    sources = models.TextField(_("nguồn dữ liệu"), blank=True)
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["field__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="procedure_unique_code"),
            models.CheckConstraint(
                condition=models.Q(processing_days__gte=0) | models.Q(processing_days=None),
                name="procedure_days_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["unit", "is_published"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)

    @property
    def legal_basis_lines(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]

    def days_for(self, online: bool) -> Decimal | None:
        """Statutory time for the channel: online dossiers get the shorter online time."""
        if online and self.online_processing_days is not None:
            return self.online_processing_days
        return self.processing_days


class Fee(models.Model):
    """Phí/lệ phí with its channel, effective period and legal basis.

    `amount_vnd` is integer VND; None means "set by the provincial council" (not known here).
    An online exemption is a row with channel=online, amount 0 and its own basis and dates.

    `case` names the alternative this row belongs to ("Đúng hạn", "Không đúng hạn"): rows of
    different cases are alternatives, one of which the applicant's dossier falls under, never
    added up; a row without a case applies in every case. `condition` stays the free text of
    the source (who, where, how much per page). See docs/decisions/0015.
    """

    class Kind(models.TextChoices):
        FEE = "phi", _("Phí")
        CHARGE = "le_phi", _("Lệ phí")

    class Channel(models.TextChoices):
        ANY = "any", _("Mọi hình thức")
        IN_PERSON = "in_person", _("Trực tiếp/bưu chính")
        ONLINE = "online", _("Trực tuyến")

    class Per(models.TextChoices):
        DOSSIER = "dossier", _("hồ sơ")
        COPY = "copy", _("bản")
        PAGE = "page", _("trang")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.CHARGE)
    amount_vnd = models.BigIntegerField(
        _("mức thu (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    channel = models.CharField(
        _("hình thức nộp"), max_length=10, choices=Channel.choices, default=Channel.ANY
    )
    condition = models.TextField(_("trường hợp áp dụng"), blank=True)
    case = models.CharField(
        _("thuộc trường hợp"),
        max_length=120,
        blank=True,
        help_text=_(
            "Nhãn ngắn của trường hợp (vd: Đúng hạn, Không đúng hạn). Các dòng khác trường hợp "
            "là phương án thay thế nhau, không cộng dồn; để trống nếu áp dụng cho mọi trường hợp."
        ),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=400, blank=True)
    # How the amount is counted (payments.fees): per dossier, per copy, or per page of each
    # copy, with a lower price from page `tier_from_page` and a cap per copy (certification:
    # 2.000 đ a page, 1.000 đ from the third, at most 200.000 đ a copy, TT 226/2016/TT-BTC).
    per = models.CharField(
        _("tính theo"),
        max_length=10,
        choices=Per.choices,
        default=Per.DOSSIER,
        db_default="dossier",
    )
    tier_from_page = models.PositiveSmallIntegerField(
        _("từ trang thứ"), null=True, blank=True, validators=[MinValueValidator(2)]
    )
    tier_amount_vnd = models.BigIntegerField(
        _("mức thu từ trang đó (đồng/trang)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cap_per_copy_vnd = models.BigIntegerField(
        _("tối đa mỗi bản (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["procedure", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_vnd__gte=0) | models.Q(amount_vnd=None),
                name="fee_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount_vnd}"


class Component(models.Model):
    """Thành phần hồ sơ: one paper the applicant provides (or the state already has).

    `condition` set means the paper is asked for only in that case ("Trẻ bị bỏ rơi", "Nộp qua
    người được ủy quyền"); reception asks which cases hold and ticks only the papers that apply.
    """

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
        PRESENT = "present", _("Xuất trình")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.TextField(_("tên giấy tờ"))
    form = models.CharField(
        _("bản chính/bản sao"), max_length=20, choices=Form.choices, default=Form.ORIGINAL
    )
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    from_state_data = models.BooleanField(
        _("khai thác từ CSDL"),
        default=False,
        help_text=_("Dữ liệu đã có trong cơ sở dữ liệu quốc gia/chuyên ngành: không yêu cầu nộp."),
    )
    from_warehouse = models.BooleanField(
        _("tái sử dụng từ kho dữ liệu"),
        default=False,
        help_text=_("Có thể lấy từ kho quản lý dữ liệu điện tử của công dân."),
    )
    note = models.TextField(_("ghi chú"), blank=True)
    condition = models.CharField(
        _("chỉ nộp khi"),
        max_length=200,
        blank=True,
        help_text=_(
            "Trường hợp mà giấy tờ này mới phải nộp (vd: Trẻ bị bỏ rơi); "
            "để trống nếu luôn phải nộp."
        ),
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return self.name[:80]


class StepStage(models.TextChoices):
    """What a routing step is in the dossier's life, which decides who closes it and when.

    Reception and return belong to the one-stop and close themselves at reception and at the
    hand-over of the result; processing steps are assigned and finished by the department;
    the approval step closes when the leader approves and signs.
    """

    RECEPTION = "reception", _("Tiếp nhận")
    PROCESSING = "processing", _("Xử lý")
    APPROVAL = "approval", _("Phê duyệt, ký")
    RETURN = "return", _("Trả kết quả")


def infer_stage(*, order: int, count: int, name: str, department_kind: str) -> str:
    """The stage of a routing step given without one (older catalog files): the first
    one-stop step receives, the last one-stop step returns, a leader's step approves."""
    folded = name.lower()
    if department_kind == "service_centre" and order == 1 and count > 1:
        return StepStage.RECEPTION
    if (
        order == count
        and count > 1
        and (department_kind == "service_centre" or folded.startswith("trả kết quả"))
    ):
        return StepStage.RETURN
    if folded.startswith("lãnh đạo") or "ký duyệt" in folded:
        return StepStage.APPROVAL
    return StepStage.PROCESSING


class ProcessStep(models.Model):
    """Bước xử lý: who does what, in how many working days (the dossier routing template)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    department_kind = models.CharField(
        _("bộ phận thực hiện"), max_length=30, choices=Department.Kind.choices, blank=True
    )
    days = models.DecimalField(
        _("thời gian (ngày làm việc)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    stage = models.CharField(
        _("giai đoạn"), max_length=12, choices=StepStage.choices, default=StepStage.PROCESSING
    )

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["procedure", "order"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "order"], name="step_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class FormTemplate(models.Model):
    """Mẫu đơn, tờ khai to download."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="forms")
    title = models.CharField(_("tên mẫu"), max_length=300)
    file = models.FileField(_("tệp"), upload_to="forms/", blank=True)
    url = models.URLField(_("đường dẫn"), blank=True)

    class Meta:
        verbose_name = _("mẫu đơn, tờ khai")
        verbose_name_plural = _("mẫu đơn, tờ khai")

    def __str__(self) -> str:
        return self.title


class HowToGuide(models.Model):
    """Hướng dẫn thực hiện: plain-Vietnamese steps a digital-tech team shows on a phone."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="guide")
    summary = models.TextField(_("giới thiệu ngắn"), blank=True)
    video_url = models.URLField(_("video hướng dẫn"), blank=True)
    is_published = models.BooleanField(_("đã công khai"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hướng dẫn thực hiện")
        verbose_name_plural = _("hướng dẫn thực hiện")

    def __str__(self) -> str:
        return str(self.procedure)


class GuideStep(models.Model):
    guide = models.ForeignKey(HowToGuide, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("nội dung"))
    image = models.ImageField(_("hình minh họa"), upload_to="guides/", blank=True)

    class Meta:
        verbose_name = _("bước hướng dẫn")
        verbose_name_plural = _("bước hướng dẫn")
        ordering = ["guide", "order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:60]}"


class FollowUp(models.Model):
    """Thủ tục thường làm tiếp theo: after a result of `from_code`, citizens usually need
    `to_code` (proactive services, ND 224/2026 art. 16). National codes, the same for every
    unit; the offer links to the unit's own published procedure of that code."""

    from_code = models.CharField(_("sau thủ tục (mã quốc gia)"), max_length=40, db_index=True)
    to_code = models.CharField(_("thủ tục làm tiếp (mã quốc gia)"), max_length=40)
    reason = models.CharField(_("vì sao cần"), max_length=300)
    confidence = models.CharField(_("độ tin cậy"), max_length=20, blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("thủ tục làm tiếp theo")
        verbose_name_plural = _("thủ tục làm tiếp theo")
        ordering = ["from_code", "order", "to_code"]
        constraints = [
            models.UniqueConstraint(fields=["from_code", "to_code"], name="follow_up_once")
        ]

    def __str__(self) -> str:
        return f"{self.from_code} → {self.to_code}"


class ResultValidity(models.Model):
    """How long a procedure's result is valid (a marital-status certificate: 6 months), so
    the citizen is reminded before it expires."""

    code = models.CharField(_("mã thủ tục (mã quốc gia)"), max_length=40, unique=True)
    days = models.PositiveIntegerField(_("giá trị (ngày)"))
    result = models.CharField(_("kết quả"), max_length=200)
    basis = models.CharField(_("quy định"), max_length=500)
    confidence = models.CharField(_("độ tin cậy"), max_length=20, blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("thời hạn giá trị của kết quả")
        verbose_name_plural = _("thời hạn giá trị của kết quả")

    def __str__(self) -> str:
        return f"{self.code}: {self.days}"
