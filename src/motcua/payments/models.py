"""Fees owed and paid: reliefs decided by a province or commune, payment requests frozen per
dossier obligation, attempts to pay them and the append-only history of every attempt.

The national payment platform keeps a fee request (YeuCauThanhToan) and its transactions
(GiaoDichThanhToan) as separate records (RULES.md section 7); so does this app: a request is
what is owed, an attempt is one try to pay it by one method, with its own state machine
(`payments.machine`). See docs/decisions/0036-payments.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeRelief(models.Model):
    """Miễn, giảm phí, lệ phí: an exemption or reduction decided with its legal basis.

    A relief of a province applies in every commune under it; a commune's only there. It
    applies to the fee rows of the listed procedures (national codes; none listed: every
    fee-bearing procedure), of one kind or both, while `condition` holds for the dossier,
    between `valid_from` and `valid_to`. `percent` 100 is an exemption ("0 đồng").
    """

    class Condition(models.TextChoices):
        ONLINE = "online", _("Nộp hồ sơ trực tuyến")
        VNEID_LEVEL2 = "vneid_level2", _("Người nộp có tài khoản định danh điện tử mức 2")
        POOR_HOUSEHOLD = "poor_household", _("Thuộc hộ nghèo, hộ cận nghèo")
        MERIT = "merit", _("Người có công với cách mạng và thân nhân")
        DISABILITY = "disability", _("Người khuyết tật")
        ETHNIC_MINORITY = "ethnic_minority", _("Đồng bào dân tộc thiểu số ở vùng khó khăn")

    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("đơn vị quyết định"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("tên chính sách"), max_length=300)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=400)
    condition = models.CharField(_("điều kiện"), max_length=20, choices=Condition.choices)
    procedure_codes = models.TextField(
        _("mã thủ tục áp dụng"),
        blank=True,
        help_text=_("Mã thủ tục quốc gia, mỗi dòng một mã; để trống: mọi thủ tục có thu phí."),
    )
    fee_kind = models.CharField(
        _("áp dụng cho"),
        max_length=10,
        blank=True,
        choices=[("phi", _("Phí")), ("le_phi", _("Lệ phí"))],
        help_text=_("Để trống: cả phí và lệ phí."),
    )
    percent = models.PositiveSmallIntegerField(
        _("mức giảm (%)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("100 = miễn (0 đồng)."),
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chính sách miễn, giảm phí, lệ phí")
        verbose_name_plural = _("chính sách miễn, giảm phí, lệ phí")
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=1, percent__lte=100),
                name="fee_relief_percent_1_100",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="fee_relief_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (-{self.percent}%)"

    @property
    def codes(self) -> set[str]:
        return {c.strip() for c in self.procedure_codes.replace(",", "\n").split() if c.strip()}


class CollectionAccount(models.Model):
    """Tài khoản thu: the bank account a unit's fees are transferred to (VietQR's beneficiary).

    `bank_bin` is the bank's 6-digit NAPAS BIN; `bank_code` its short code, lower case, for
    the bank-app links (e.g. "icb" for VietinBank)."""

    unit = models.OneToOneField(
        "core.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="collection_account",
    )
    bank_bin = models.CharField(
        _("mã BIN ngân hàng"),
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("Mã BIN gồm 6 chữ số."))],
    )
    bank_code = models.CharField(_("mã viết tắt ngân hàng"), max_length=20)
    bank_name = models.CharField(_("tên ngân hàng"), max_length=200)
    account_number = models.CharField(
        _("số tài khoản"),
        max_length=19,
        validators=[RegexValidator(r"^[0-9A-Za-z]{1,19}$", _("Số tài khoản gồm chữ và số."))],
    )
    account_name = models.CharField(_("tên tài khoản"), max_length=200)

    class Meta:
        verbose_name = _("tài khoản thu phí, lệ phí")
        verbose_name_plural = _("tài khoản thu phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.account_number} - {self.bank_name}"


class PaymentRequest(models.Model):
    """Yêu cầu thanh toán: what one obligation of a dossier owes, frozen when it is created.

    `lines` is the breakdown the citizen sees (each fee row with its quantity, the reliefs
    applied and the legal basis of each); `amount_vnd` their total, integer VND. Later
    catalog or relief changes never alter it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        CANCELLED = "cancelled", _("Đã hủy")

    class Purpose(models.TextChoices):
        FEES = "fees", _("Phí, lệ phí của thủ tục")
        OBLIGATION = "obligation", _("Nghĩa vụ tài chính")

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="payment_requests",
    )
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị thu"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("nội dung"), max_length=12, choices=Purpose.choices)
    reference = models.CharField(_("mã yêu cầu"), max_length=40, unique=True)
    lines = models.JSONField(_("chi tiết"), default=list)
    amount_vnd = models.BigIntegerField(_("số tiền (đồng)"), validators=[MinValueValidator(0)])
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("thời điểm tạo"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("thời điểm thanh toán xong"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu thanh toán")
        verbose_name_plural = _("yêu cầu thanh toán")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_vnd__gte=0), name="payment_request_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Method(models.TextChoices):
    PLATFORM = "platform", _("Nền tảng thanh toán quốc gia")
    VIETQR = "vietqr", _("Chuyển khoản bằng mã VietQR")
    CASH = "cash", _("Tiền mặt tại quầy")
    CARD = "card", _("Thẻ tại quầy")


ONLINE_METHODS = frozenset({Method.PLATFORM, Method.VIETQR})


class PaymentAttempt(models.Model):
    """Giao dịch thanh toán: one try to pay a request by one method.

    created -> paid | failed | expired; paid -> partially refunded -> refunded
    (`payments.machine.ATTEMPTS`). `idempotency_key` makes a double-clicked "pay" one attempt;
    `reference` is what the platform or the bank carries back (MaThamChieu, the transfer
    memo) and is unique; `provider_transaction_id` is the platform's or bank's own id, unique
    when known, so one transaction is never credited to two attempts.
    """

    class Status(models.TextChoices):
        CREATED = "created", _("Đang chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        FAILED = "failed", _("Không thành công")
        EXPIRED = "expired", _("Hết hạn")
        PARTIALLY_REFUNDED = "partially_refunded", _("Đã hoàn một phần")
        REFUNDED = "refunded", _("Đã hoàn tiền")

    request = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("yêu cầu thanh toán"),
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    method = models.CharField(_("hình thức"), max_length=10, choices=Method.choices)
    idempotency_key = models.CharField(max_length=64)
    reference = models.CharField(_("mã tham chiếu"), max_length=40, unique=True)
    amount_vnd = models.BigIntegerField(_("số tiền (đồng)"))
    currency = models.CharField(_("tiền tệ"), max_length=3, default="VND")
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    refunded_vnd = models.BigIntegerField(_("đã hoàn (đồng)"), default=0)
    provider_transaction_id = models.CharField(
        _("mã giao dịch của bên thanh toán"), max_length=64, null=True, blank=True, unique=True
    )
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    redirect_url = models.URLField(_("trang thanh toán"), max_length=500, blank=True)
    receipt_url = models.URLField(_("biên lai điện tử"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"))
    paid_at = models.DateTimeField(_("thời điểm thanh toán"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo / người thu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    # not a column: the refund being made, set aside while the state table reads the row
    refund_pending_vnd: int = 0

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "idempotency_key"], name="payment_attempt_idempotency"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_vnd__gt=0), name="payment_attempt_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_vnd__gte=0)
                & models.Q(refunded_vnd__lte=models.F("amount_vnd")),
                name="payment_attempt_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def unit_id(self) -> int:
        return self.request.unit_id

    @property
    def is_online(self) -> bool:
        return self.method in ONLINE_METHODS


class PaymentEvent(models.Model):
    """Lịch sử giao dịch: one append-only row per change of an attempt."""

    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    action = models.CharField(_("thao tác"), max_length=30)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sự kiện thanh toán")
        verbose_name_plural = _("sự kiện thanh toán")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.from_status} -> {self.to_status}"


class ReconciliationRun(models.Model):
    """Đối soát: one bank statement or one platform daily file of a unit, read and matched to
    the attempts once (`payments.reconciliation`). The same file again (same content) is the
    same run; a row already reconciled by an earlier run is noted, never matched twice."""

    class Source(models.TextChoices):
        BANK = "bank", _("Sao kê ngân hàng")
        PLATFORM = "platform", _("Tệp đối soát của nền tảng thanh toán quốc gia")

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    file_name = models.CharField(_("tên tệp"), max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64)
    date_from = models.DateField(_("từ ngày"), null=True, blank=True)
    date_to = models.DateField(_("đến ngày"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm nhập"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    matched = models.PositiveIntegerField(_("khớp"), default=0)
    credited = models.PositiveIntegerField(_("ghi nhận bổ sung"), default=0)
    exceptions = models.PositiveIntegerField(_("cần xử lý"), default=0)

    class Meta:
        verbose_name = _("lần đối soát")
        verbose_name_plural = _("lần đối soát")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "source", "file_sha256"], name="reconciliation_run_same_file_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.file_name}"


class ReconciliationLine(models.Model):
    """One row of a statement (or one attempt the statement lacks) and what it was found to be.
    Every outcome but matched, credited and repeated is an exception a manager works through:
    resolved with a note (audited), never deleted."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Khớp")
        CREDITED = "credited", _("Khớp, ghi nhận bổ sung (thiếu thông báo)")
        REPEATED = "repeated", _("Đã đối soát ở lần trước")
        UNMATCHED = "unmatched", _("Tiền về không khớp giao dịch nào")
        AMOUNT_MISMATCH = "amount_mismatch", _("Lệch số tiền")
        DUPLICATE = "duplicate", _("Trùng")
        MISSING = "missing", _("Đã ghi nhận nhưng không có trong sao kê")
        INVALID = "invalid", _("Dòng lỗi")

    EXCEPTIONS = ("unmatched", "amount_mismatch", "duplicate", "missing", "invalid")

    run = models.ForeignKey(ReconciliationRun, on_delete=models.PROTECT, related_name="lines")
    row_number = models.PositiveIntegerField(_("dòng"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=20, choices=Outcome.choices)
    needs_action = models.BooleanField(_("cần xử lý"), default=False)
    attempt = models.ForeignKey(
        PaymentAttempt,
        verbose_name=_("giao dịch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    key = models.CharField(_("số tham chiếu"), max_length=80, blank=True)
    reference = models.CharField(_("mã tham chiếu tìm thấy"), max_length=40, blank=True)
    amount_vnd = models.BigIntegerField(_("số tiền (đồng)"), null=True, blank=True)
    booked_on = models.DateField(_("ngày giao dịch"), null=True, blank=True)
    text = models.CharField(_("nội dung"), max_length=300, blank=True)
    problem = models.CharField(_("ghi chú"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_note = models.CharField(_("cách xử lý"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("dòng đối soát")
        verbose_name_plural = _("dòng đối soát")
        ordering = ["run", "row_number", "id"]
        indexes = [models.Index(fields=["key"], name="reconciliation_line_key")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.row_number}: {self.outcome}"


# --- e-receipts and the cash book (payments.receipts, payments.cashbook; decision 0042) -------


class ReceiptCounter(models.Model):
    """The last receipt number used by a unit in a year (core.counters: a locked row)."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="payments_receipt_series")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last_value}"


class ReceiptIssuer(models.Model):
    """What a unit prints on its receipts besides its name: its tax code and the receipt
    symbol (ký hiệu biên lai). Optional: a receipt without them leaves the lines out."""

    unit = models.OneToOneField(
        "core.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    tax_code = models.CharField(
        _("mã số thuế"),
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^\d{10}(-\d{3})?$", _("Mã số thuế gồm 10 hoặc 13 chữ số."))],
    )
    symbol = models.CharField(_("ký hiệu biên lai"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("thông tin in trên biên lai")
        verbose_name_plural = _("thông tin in trên biên lai")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.tax_code}"


class Receipt(models.Model):
    """Biên lai điện tử: issued in the transaction that credits an attempt, numbered from the
    unit's gap-free series of the year, its content frozen (the PDF is drawn from these columns
    alone). Never deleted; voided only with a reason (a new receipt then carries the payment
    that still stands). On PostgreSQL a trigger refuses DELETE, TRUNCATE and every UPDATE but
    the one that voids a valid receipt."""

    class Status(models.TextChoices):
        VALID = "valid", _("Có hiệu lực")
        VOID = "void", _("Đã hủy")

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị thu"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số"))
    attempt = models.ForeignKey(
        PaymentAttempt,
        verbose_name=_("giao dịch"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="+"
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=60)
    procedure_name = models.CharField(_("thủ tục"), max_length=500, blank=True)
    issued_at = models.DateTimeField(_("thời điểm lập"))
    payer_name = models.CharField(_("người nộp"), max_length=200)
    payer_address = models.CharField(_("địa chỉ người nộp"), max_length=300, blank=True)
    lines = models.JSONField(_("các khoản thu"), default=list)
    amount_vnd = models.BigIntegerField(_("số tiền (đồng)"))
    amount_words = models.CharField(_("số tiền bằng chữ"), max_length=300)
    method = models.CharField(_("hình thức"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("mã tham chiếu giao dịch"), max_length=40)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    collected_by_name = models.CharField(_("người thu (tên lúc thu)"), max_length=150, blank=True)
    collected_at = models.DateTimeField(_("thời điểm thu"), null=True, blank=True)
    unit_name = models.CharField(_("tên đơn vị thu"), max_length=200)
    parent_unit_name = models.CharField(_("cơ quan cấp trên"), max_length=200, blank=True)
    unit_tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=20, blank=True)
    account_text = models.CharField(_("tài khoản thu"), max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay cho biên lai"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    voided_at = models.DateTimeField(_("thời điểm hủy"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hủy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="payments_receipt_number_once"
            ),
            models.UniqueConstraint(
                fields=["attempt"],
                condition=models.Q(status="valid"),
                name="payments_receipt_one_valid_per_attempt",
            ),
            models.CheckConstraint(
                condition=models.Q(status="valid", voided_at__isnull=True)
                | models.Q(status="void", voided_at__isnull=False) & ~models.Q(void_reason=""),
                name="payments_receipt_void_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """'0000012/2026': the number as printed (7 digits, as e-receipt numbers are)."""
        return f"{self.number:07d}/{self.year}"


class CashBookDay(models.Model):
    """Sổ quỹ tiền mặt: one officer's book of one day in one unit. The row exists once money
    was taken or the day was closed; it is the lock both take: a counter payment locks it and
    is refused once `closed_at` is set; closing locks it and freezes the totals. On PostgreSQL
    a closed day can no longer be changed or deleted."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ thu"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    day = models.DateField(_("ngày"))
    closed_at = models.DateTimeField(_("thời điểm khóa sổ"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người khóa sổ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    totals = models.JSONField(_("tổng theo hình thức"), default=dict, blank=True)
    total_vnd = models.BigIntegerField(_("tổng cộng (đồng)"), default=0)
    entries = models.PositiveIntegerField(_("số khoản thu"), default=0)

    class Meta:
        verbose_name = _("sổ quỹ tiền mặt")
        verbose_name_plural = _("sổ quỹ tiền mặt")
        ordering = ["-day", "officer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "officer", "day"], name="payments_cash_book_day_once"
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True)
                | models.Q(closed_at__isnull=False, closed_by__isnull=False),
                name="payments_cash_book_closed_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.day:%d/%m/%Y}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
