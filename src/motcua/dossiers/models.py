"""Dossiers (hồ sơ) under the one-stop rules: the row, its history, steps, pauses, extensions.

State changes happen only through `motcua.dossiers.services` (one `transition` function and the
verbs built on it); nothing here changes `status`. See docs/decisions/0005-dossier-state-machine.md.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import StepStage
from motcua.core import identifiers
from motcua.core.models import Department, Unit
from motcua.core.text import fold

TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")


class Status(models.IntegerChoices):
    """National dossier statuses 1-10 (TrangThaiHoSo) plus internal sub-states of "4".

    41/42/43 are internal steps of "Đang xử lý"; `national_status` maps them to 4.
    """

    SUBMITTED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Đã tiếp nhận")
    REFUSED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    AWAITING_SUPPLEMENT = 5, _("Yêu cầu bổ sung hồ sơ")
    AWAITING_FINANCIAL_OBLIGATION = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    RESULT_READY = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")
    AWAITING_APPROVAL = 41, _("Chờ lãnh đạo phê duyệt")
    APPROVED = 42, _("Đã phê duyệt, ký")
    TRANSFERRING = 43, _("Đang chuyển liên thông")


NATIONAL_STATUS = {s: (4 if s.value > 10 else s.value) for s in Status}


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp tại quầy")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Qua bưu chính công ích")
    KIOSK = "kiosk", _("Ki-ốt tự phục vụ")


NATIONAL_CHANNEL = {Channel.COUNTER: 1, Channel.KIOSK: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}


class ApplicantKind(models.IntegerChoices):
    CITIZEN = 1, _("Công dân")
    BUSINESS = 2, _("Doanh nghiệp")
    STATE_AGENCY = 3, _("Cơ quan nhà nước")
    OTHER_ORG = 4, _("Tổ chức khác")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Delivery(models.TextChoices):
    COUNTER = "counter", _("Nhận tại quầy")
    POST = "post", _("Qua bưu chính công ích")
    ONLINE = "online", _("Nhận trực tuyến")


class CollectedBy(models.TextChoices):
    """Who took the result at the counter."""

    APPLICANT = "applicant", _("Người nộp hồ sơ")
    AUTHORISED = "authorised", _("Người được ủy quyền")


class NotifyBy(models.TextChoices):
    """How the applicant asked to be told of each status change (ND 224/2026 art. 15(1)(g)).

    "" (not chosen, e.g. at the counter): every contact they gave, phone and e-mail."""

    ANY = "", _("Mọi liên hệ đã cung cấp")
    SMS = "sms", _("Tin nhắn SMS")
    EMAIL = "email", _("Thư điện tử")
    PUSH = "push", _("Thông báo đẩy trên điện thoại")


class IdentityVia(models.TextChoices):
    NONE = "none", _("Chưa xác thực")
    VNEID = "vneid", _("Tài khoản định danh điện tử VNeID")
    CHIP_CARD = "chip_card", _("Đầu đọc thẻ căn cước gắn chip")
    POPULATION_DB = "population_db", _("Cơ sở dữ liệu quốc gia về dân cư")


def validate_applicant_id(kind: int, number: str) -> None:
    """12-digit citizen ID for persons; a 10- or 13-digit tax code for organisations."""
    number = (number or "").strip()
    if kind == ApplicantKind.CITIZEN:
        try:
            identifiers.citizen_id(number)
        except ValidationError as exc:
            raise ValidationError({"applicant_id_number": exc.messages}) from None
    elif (kind == ApplicantKind.BUSINESS or number) and not TAX_CODE_RE.match(number):
        raise ValidationError(
            {
                "applicant_id_number": _(
                    "Mã số thuế phải gồm 10 chữ số (hoặc 10 chữ số, gạch ngang, 3 chữ số)."
                )
            }
        )


class Dossier(models.Model):
    """Hồ sơ thủ tục hành chính, from submission or reception to the returned result."""

    unit_scope_field = "competent_unit"

    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True)
    receiving_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    competent_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị giải quyết"), on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    # snapshot of the procedure at reception: later catalog edits do not move this dossier
    procedure_code = models.CharField(_("mã thủ tục"), max_length=40)
    procedure_name = models.CharField(_("tên thủ tục"), max_length=500)
    processing_days = models.DecimalField(_("thời hạn giải quyết"), max_digits=5, decimal_places=1)
    time_unit = models.CharField(_("đơn vị thời hạn"), max_length=20)
    fee_total_vnd = models.BigIntegerField(_("tổng phí, lệ phí (đồng)"), default=0)
    fees = models.JSONField(_("phí, lệ phí áp dụng"), default=list, blank=True)
    rule_version = models.CharField(_("phiên bản quy định"), max_length=60)

    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices)
    applicant_kind = models.PositiveSmallIntegerField(
        _("đối tượng"), choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    applicant_name = models.CharField(_("người nộp / tổ chức"), max_length=200)
    applicant_id_number = models.CharField(_("số định danh / mã số thuế"), max_length=20)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    notify_by = models.CharField(
        _("nhận thông báo qua"),
        max_length=10,
        choices=NotifyBy.choices,
        blank=True,
        default="",
        db_default="",
    )
    notifications_off = models.BooleanField(
        _("đã tắt thông báo"),
        default=False,
        db_default=False,
        help_text=_("Người nộp đã tắt thông báo thay đổi trạng thái của hồ sơ này."),
    )
    identity_verified = models.BooleanField(_("đã xác thực danh tính"), default=False)
    identity_verified_via = models.CharField(
        _("xác thực qua"), max_length=20, choices=IdentityVia.choices, default=IdentityVia.NONE
    )

    status = models.PositiveSmallIntegerField(
        _("trạng thái"), choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    competent_received_at = models.DateTimeField(
        _("thời điểm cơ quan giải quyết nhận"), null=True, blank=True
    )
    due_at = models.DateTimeField(_("hẹn trả kết quả (ban đầu)"), null=True, blank=True)
    due_at_legal = models.DateTimeField(
        _("hạn giải quyết theo quy định"),
        null=True,
        blank=True,
        help_text=_("Hẹn ban đầu cộng thời gian tạm dừng bổ sung; không tính gia hạn."),
    )
    due_at_current = models.DateTimeField(_("hẹn trả kết quả (hiện tại)"), null=True, blank=True)
    finished_at = models.DateTimeField(_("thời điểm xử lý xong"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    timeliness = models.CharField(
        _("tiến độ"), max_length=10, choices=Timeliness.choices, blank=True
    )
    result_delivery = models.CharField(
        _("hình thức nhận kết quả"), max_length=10, choices=Delivery.choices, blank=True
    )
    postal_tracking_number = models.CharField(_("số vận đơn bưu chính"), max_length=40, blank=True)
    # default and db_default: rows written by raw SQL (bulk loaders, benchmarks) get "" too
    collected_by_kind = models.CharField(
        _("người nhận kết quả là"),
        max_length=12,
        choices=CollectedBy.choices,
        blank=True,
        default="",
        db_default="",
    )
    collector_name = models.CharField(
        _("họ tên người nhận kết quả"), max_length=200, blank=True, default="", db_default=""
    )
    collector_id_number = models.CharField(
        _("số định danh người nhận kết quả"),
        max_length=20,
        blank=True,
        default="",
        db_default="",
    )
    collector_authorisation = models.CharField(
        _("giấy ủy quyền nhận kết quả"), max_length=300, blank=True, default="", db_default=""
    )
    result_signed = models.BooleanField(_("kết quả đã ký số"), default=False)
    paid_online = models.BooleanField(_("đã thanh toán trực tuyến"), default=False)
    # every component in hand digitally (decisions/0034): kept by services.refresh_digitized
    all_components_digitized = models.BooleanField(_("mọi thành phần đã số hóa"), default=False)
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    search_text = models.CharField(max_length=400, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(_("hoạt động gần nhất"), null=True, blank=True)
    current_event = models.ForeignKey(
        "DossierEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["receiving_unit", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="dossier_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["competent_unit", "status", "due_at_current"], name="dossier_worklist"
            ),
            # worklists filter "competent OR receiving unit": both sides need the status index
            models.Index(
                fields=["receiving_unit", "status", "due_at_current"],
                name="dossier_worklist_received",
            ),
            models.Index(fields=["receiving_unit", "received_at"], name="dossier_received"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
        ]

    def __str__(self) -> str:
        return self.code

    SEARCHED_FIELDS = frozenset({"code", "applicant_name", "procedure_name"})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        searched = update_fields is None or not self.SEARCHED_FIELDS.isdisjoint(update_fields)
        if searched:
            self.search_text = fold(f"{self.code} {self.applicant_name} {self.procedure_name}")
            self.search_text = self.search_text[:400]
        if update_fields is not None:
            # a status change leaves the searched words alone: no need to rewrite them
            extra = {"search_text", "updated"} if searched else {"updated"}
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS[Status(self.status)]

    @property
    def national_channel(self) -> int:
        return NATIONAL_CHANNEL[Channel(self.channel)]

    @property
    def is_online(self) -> bool:
        return self.channel == Channel.ONLINE


# A component is in hand digitally when its scan is attached, or it was taken from the citizen's
# documents (kho dữ liệu) or the state's data: the one rule (decisions/0034).
COMPONENT_DIGITIZED = (
    Q(digitized=True) & ~Q(file="") | Q(reused_from_warehouse=True) | Q(from_state_data=True)
)


def component_digitized(component: "DossierComponent") -> bool:
    """`COMPONENT_DIGITIZED` for one row in memory."""
    return bool(
        (component.digitized and component.file)
        or component.reused_from_warehouse
        or component.from_state_data
    )


class DossierComponent(models.Model):
    """Thành phần hồ sơ as received: the paper, its form, and whether it was digitized."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    name = models.TextField(_("tên giấy tờ"))
    form = models.CharField(_("bản chính/bản sao"), max_length=20, blank=True)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    digitized = models.BooleanField(_("đã số hóa"), default=False)
    file = models.FileField(_("tệp"), upload_to="dossiers/components/%Y/%m/", blank=True)
    reused_from_warehouse = models.BooleanField(_("tái sử dụng từ kho dữ liệu"), default=False)
    from_state_data = models.BooleanField(_("khai thác từ CSDL"), default=False)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name[:80]


class DossierEvent(models.Model):
    """Lịch sử trạng thái: one append-only row per successful transition."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    from_status = models.PositiveSmallIntegerField(null=True, blank=True, choices=Status.choices)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    action = models.CharField(_("thao tác"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"))
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch sử xử lý")
        verbose_name_plural = _("lịch sử xử lý")
        ordering = ["dossier", "id"]
        indexes = [
            models.Index(fields=["dossier", "at"]),
            # the counter tablet's poll: what the officer at a counter handed over just now
            models.Index(fields=["actor", "at"], name="dossier_event_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.action} {self.from_status}->{self.to_status}"


class DossierStep(models.Model):
    """One row of the Phiếu kiểm soát: a step, who holds it, its internal deadline and result."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("phòng, ban"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier_steps",
    )
    days = models.DecimalField(_("thời gian (ngày làm việc)"), max_digits=5, decimal_places=2)
    stage = models.CharField(
        _("giai đoạn"), max_length=12, choices=StepStage.choices, default=StepStage.PROCESSING
    )
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    result = models.CharField(_("kết quả"), max_length=10, choices=Timeliness.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("bước xử lý hồ sơ")
        verbose_name_plural = _("bước xử lý hồ sơ")
        ordering = ["dossier", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="dossier_step_unique_order")
        ]
        indexes = [models.Index(fields=["assignee", "finished_at"], name="dossier_step_mine")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class SupplementRequest(models.Model):
    """Yêu cầu bổ sung: a pause of the deadline clock until the applicant re-submits."""

    class Stage(models.TextChoices):
        RECEPTION = "reception", _("Khi tiếp nhận")
        EXAMINATION = "examination", _("Khi thẩm định")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    requested_at = models.DateTimeField(_("thời điểm yêu cầu"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    items = models.JSONField(_("nội dung cần bổ sung"), default=list)
    reason = models.TextField(_("lý do"))
    stage = models.CharField(_("giai đoạn"), max_length=20, choices=Stage.choices)
    paused_status = models.PositiveSmallIntegerField(choices=Status.choices)
    remaining_working_days = models.DecimalField(
        _("số ngày làm việc còn lại"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    remaining_legal_days = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    due_at_before = models.DateTimeField(null=True, blank=True)
    due_at_after = models.DateTimeField(null=True, blank=True)
    resubmitted_at = models.DateTimeField(_("thời điểm bổ sung"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")
        ordering = ["dossier", "requested_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.requested_at:%d/%m/%Y}"


class Extension(models.Model):
    """Văn bản xin lỗi và đề nghị gia hạn (Mẫu 04): a new appointment with a written reason."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("lý do"))
    old_due_at = models.DateTimeField(_("hẹn trả cũ"))
    new_due_at = models.DateTimeField(_("hẹn trả mới"))
    created_at = models.DateTimeField(_("thời điểm lập"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lãnh đạo duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("thời điểm gửi công dân"))
    is_timely = models.BooleanField(_("gửi trước hạn ít nhất 1 ngày làm việc"))
    letter_file = models.FileField(_("văn bản"), upload_to="dossiers/letters/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("văn bản xin lỗi, gia hạn")
        verbose_name_plural = _("văn bản xin lỗi, gia hạn")
        ordering = ["dossier", "created_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} -> {self.new_due_at:%d/%m/%Y}"


class Violation(models.Model):
    """A breach a manager must see (late or missing apology, ...). One per dossier, kind, due."""

    class Kind(models.TextChoices):
        LATE_APOLOGY = "late_apology", _("Xin lỗi muộn (dưới 1 ngày làm việc trước hạn)")
        MISSING_APOLOGY = "missing_apology", _("Quá hạn không có văn bản xin lỗi")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="violations")
    kind = models.CharField(_("loại vi phạm"), max_length=30, choices=Kind.choices)
    due_at_ref = models.DateTimeField(_("hạn liên quan"))
    detected_at = models.DateTimeField(_("phát hiện lúc"))
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("vi phạm")
        verbose_name_plural = _("vi phạm")
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "due_at_ref"], name="violation_unique_per_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}"


class DossierFlag(models.Model):
    """A warning on the worklist (at risk of being late) for the handler and the leader."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("Có nguy cơ trễ hạn")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_at_ref = models.DateTimeField()
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cảnh báo hồ sơ")
        verbose_name_plural = _("cảnh báo hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "due_at_ref"], name="dossier_flag_unique_per_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}"


class DailySequence(models.Model):
    """The locked counter row behind dossier codes: one per receiving unit and local day."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="daily_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last_value}"


class DossierDocument(models.Model):
    """A paper of the dossier: receipt, letters, the result. Letters gate some transitions."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Giấy tiếp nhận và hẹn trả kết quả")
        SUPPLEMENT_REQUEST = "supplement_request", _("Phiếu yêu cầu bổ sung")
        REFUSAL_LETTER = "refusal_letter", _("Phiếu từ chối tiếp nhận")
        APOLOGY_LETTER = "apology_letter", _("Văn bản xin lỗi và gia hạn")
        STOP_LETTER = "stop_letter", _("Thông báo dừng giải quyết")
        WITHDRAWAL_REQUEST = "withdrawal_request", _("Đơn rút hồ sơ")
        CONTROL_SHEET = "control_sheet", _("Phiếu kiểm soát quá trình")
        RESULT = "result", _("Kết quả giải quyết")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("tệp"), upload_to="dossiers/documents/%Y/%m/")
    created_at = models.DateTimeField(_("thời điểm"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed = models.BooleanField(_("đã ký số"), default=False)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("văn bản của hồ sơ")
        verbose_name_plural = _("văn bản của hồ sơ")
        ordering = ["dossier", "created_at", "id"]
        indexes = [models.Index(fields=["dossier", "kind"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}"


# the letter a dossier that ended this way must carry (transitions refuse without it; a defect
# of digitization when an older or imported row lacks it: decisions/0034)
LETTER_FOR = {
    Status.REFUSED: DossierDocument.Kind.REFUSAL_LETTER,
    Status.STOPPED: DossierDocument.Kind.STOP_LETTER,
    Status.WITHDRAWN: DossierDocument.Kind.WITHDRAWAL_REQUEST,
}


class OnlineFiling(models.Model):
    """How an online dossier was filed: what the plans measure of the citizen's side.

    "From sign-in to successful submission < 5 minutes (2026)" and "the citizen never re-enters
    what the state knows" are counted here, one row per online dossier, written in the same
    transaction as the dossier. An assisted filing (an officer or the digital-tech team helping a
    citizen at the centre) records who helped: it counts as online, and as an assisted action.
    """

    class Confirmed(models.TextChoices):
        CITIZEN_SIGN_IN = "sign_in", _("Công dân tự đăng nhập VNeID")
        REGISTRY = "registry", _("Cán bộ đối chiếu CSDL quốc gia về dân cư")

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="online_filing", primary_key=True
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("công dân"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="online_filings",
    )
    signed_in_at = models.DateTimeField(_("thời điểm đăng nhập"), null=True, blank=True)
    seconds_to_submit = models.PositiveIntegerField(
        _("từ đăng nhập đến nộp thành công (giây)"), null=True, blank=True
    )
    typed_fields = models.PositiveSmallIntegerField(_("số trường phải gõ"), null=True, blank=True)
    prefilled_fields = models.PositiveSmallIntegerField(
        _("số trường điền sẵn"), null=True, blank=True
    )
    reused_documents = models.PositiveSmallIntegerField(
        _("số giấy tờ dùng lại từ kho dữ liệu"), default=0
    )
    form_schema_id = models.PositiveIntegerField(
        _("phiên bản tờ khai điện tử"), null=True, blank=True
    )
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hỗ trợ nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assisted_filings",
    )
    confirmed_by = models.CharField(
        _("công dân xác nhận bằng"), max_length=10, choices=Confirmed.choices, blank=True
    )

    class Meta:
        verbose_name = _("thông tin nộp trực tuyến")
        verbose_name_plural = _("thông tin nộp trực tuyến")

    def __str__(self) -> str:
        return str(self.dossier)


class Scan(models.Model):
    """Bản quét: one upload of one component's paper, and its OCR: at the counter (the dossier
    page's scan form, the reception form, a supplement brought in) or the citizen's online
    supplement; every upload onto a component is one (`services._scan_onto`, decisions/0040).

    The officer's scanner PDF (or phone photos, combined in page order into one PDF) is kept as
    `original` and attached to the component at once (the paper is in the system); the huey
    worker then makes a searchable PDF/A of it with ocrmypdf and Tesseract's Vietnamese data
    (`dossiers.scanning`): QUEUED -> PROCESSING -> DONE, which makes `ocr_file` the component's
    file, or FAILED, which leaves the original attached and says why (`error`); a failed scan can
    be queued again. `pages_done` / `pages_total` is the progress the counter screen polls.
    `sha256` is of the uploaded bytes (the files in page order): the same upload for the same
    dossier or the same applicant is told to the officer and not stored twice. Every change
    goes through `dossiers.services` (decisions/0037)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ nhận dạng chữ")
        PROCESSING = "processing", _("Đang nhận dạng chữ")
        DONE = "done", _("Đã nhận dạng chữ")
        FAILED = "failed", _("Nhận dạng chữ không thành công")

    class Error(models.TextChoices):
        OCR_MISSING = "ocr_missing", _("Máy chủ chưa cài phần mềm nhận dạng chữ (OCR).")
        TIMEOUT = "timeout", _("Nhận dạng chữ quá thời gian cho phép.")
        OCR_ERROR = "ocr_error", _("Phần mềm nhận dạng chữ báo lỗi khi xử lý bản quét.")
        FILE_MISSING = "file_missing", _("Không tìm thấy tệp bản quét đã lưu.")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="scans")
    component = models.ForeignKey(DossierComponent, on_delete=models.CASCADE, related_name="scans")
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=State.choices, default=State.QUEUED
    )
    original = models.FileField(_("bản quét gốc"), upload_to="dossiers/scans/%Y/%m/")
    ocr_file = models.FileField(
        _("bản PDF/A có lớp chữ"), upload_to="dossiers/scans/ocr/%Y/%m/", blank=True
    )
    from_photos = models.BooleanField(_("từ ảnh chụp"), default=False)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)
    pages_total = models.PositiveIntegerField(_("số trang"), default=0)
    pages_done = models.PositiveIntegerField(_("số trang đã nhận dạng"), default=0)
    text = models.TextField(_("chữ nhận dạng được"), blank=True)
    pdfa = models.CharField(_("chuẩn PDF/A"), max_length=4, blank=True)  # "2B", from its XMP
    document_type = models.CharField(_("loại giấy tờ"), max_length=300, blank=True)
    error = models.CharField(_("lỗi"), max_length=20, choices=Error.choices, blank=True)
    error_detail = models.CharField(_("chi tiết lỗi"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần xử lý"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("thời điểm tải lên"))
    started_at = models.DateTimeField(_("bắt đầu nhận dạng"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc nhận dạng"), null=True, blank=True)

    class Meta:
        verbose_name = _("bản quét")
        verbose_name_plural = _("bản quét")
        ordering = ["dossier", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sha256"], name="scan_unique_per_dossier")
        ]
        indexes = [models.Index(fields=["sha256"], name="scan_sha256")]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.component_id} {self.state}"

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.PROCESSING)

    @property
    def stale(self) -> bool:
        """Processing for longer than its OCR time limit allows, plus five minutes: the worker
        that took it died (a restart, the machine off). The officer may queue it again."""
        from django.utils import timezone

        if self.state != self.State.PROCESSING or self.started_at is None:
            return False
        limit = 60 + max(self.pages_total, 1) * settings.MOTCUA_OCR_SECONDS_PER_PAGE + 300
        return (timezone.now() - self.started_at).total_seconds() > limit

    @property
    def no_text(self) -> bool:
        """Done, but Tesseract found no words: a blank page, a photo that is not a paper."""
        return self.state == self.State.DONE and not self.text.strip()
