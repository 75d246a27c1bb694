"""A citizen's online filing while it is being written (`Draft`) and the papers attached to it
(`DraftPaper`). The draft is pinned to the declaration version it started on (decisions/0030)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import OnlineFiling


class Draft(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã nộp")
        EXPIRED = "expired", _("Hết hạn")

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("công dân"),
        on_delete=models.PROTECT,
        related_name="filing_drafts",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+"
    )
    receiving_unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    schema = models.ForeignKey(
        "eforms.FormSchema",
        verbose_name=_("phiên bản tờ khai"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.JSONField(_("nội dung đã khai"), default=dict, blank=True)
    prefilled = models.JSONField(_("nội dung điền sẵn"), default=dict, blank=True)
    registry_down = models.BooleanField(_("CSDL dân cư không phản hồi khi bắt đầu"), default=False)
    step = models.CharField(_("bước hiện tại"), max_length=60, blank=True)
    steps_done = models.JSONField(_("các bước đã lưu"), default=list, blank=True)
    case = models.CharField(_("trường hợp"), max_length=200, blank=True)
    conditions = models.JSONField(_("điều kiện áp dụng"), default=list, blank=True)
    result_delivery = models.CharField(_("hình thức nhận kết quả"), max_length=10, blank=True)
    # where the post delivers the result when it is sent by post (postal.services.clean_address)
    postal_address = models.CharField(
        _("địa chỉ nhận kết quả qua bưu chính"), max_length=300, blank=True, default=""
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    # how each status change is told (dossiers.NotifyBy; "" not chosen: every contact given)
    notify_by = models.CharField(_("nhận thông báo qua"), max_length=10, blank=True)
    push_subscription = models.ForeignKey(
        "integrations.PushSubscription",
        verbose_name=_("thiết bị nhận thông báo đẩy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    signed_in_at = models.DateTimeField(_("đăng nhập lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("lưu gần nhất"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    idempotency_key = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ đã nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("hồ sơ đang soạn")
        verbose_name_plural = _("hồ sơ đang soạn")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["citizen", "status"], name="draft_citizen_status")]

    def __str__(self) -> str:
        return f"{self.procedure_id}/{self.pk}"


class DraftPaper(models.Model):
    """One paper (thành phần hồ sơ) of a draft: a PDF made from the citizen's upload, or an
    earlier dossier's paper of theirs reused (`reused_from`), or the signed result an earlier
    dossier of theirs issued (`reused_result`, matched by `catalog.papers`)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="papers")
    component = models.ForeignKey(
        "catalog.Component",
        verbose_name=_("thành phần"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("tệp"), upload_to="filing/papers/%Y/%m/", blank=True)
    pages = models.PositiveSmallIntegerField(_("số trang"), default=0)
    reused_from = models.ForeignKey(
        "dossiers.DossierComponent",
        verbose_name=_("dùng lại từ hồ sơ trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reused_result = models.ForeignKey(
        "dossiers.DossierDocument",
        verbose_name=_("dùng lại kết quả đã cấp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("thêm lúc"))

    class Meta:
        verbose_name = _("giấy tờ của hồ sơ đang soạn")
        verbose_name_plural = _("giấy tờ của hồ sơ đang soạn")
        constraints = [
            models.UniqueConstraint(fields=["draft", "component"], name="draft_paper_once"),
            models.CheckConstraint(
                condition=models.Q(reused_from__isnull=True) | models.Q(reused_result__isnull=True),
                name="draft_paper_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}/{self.component_id}"

    @property
    def reused(self) -> bool:
        return self.reused_from_id is not None or self.reused_result_id is not None

    @property
    def source(self):
        """The stored file the paper is: the reused one, else the upload."""
        if self.reused_result_id is not None:
            return self.reused_result.file
        return self.reused_from.file if self.reused_from_id is not None else self.file


class AssistSession(models.Model):
    """A counter officer or a digital-tech team member helping a citizen who is present to file
    online (decisions/0032). The citizen confirms on their own phone (VNeID sign-in, the
    short-lived code `token_hash` is the digest of) or the helper checks their ID card against
    the population registry; the draft it opens is then filled by the helper through the
    ordinary filing pages and services, and submitted with `assisted_by` and `confirmed_by`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ công dân xác nhận")
        CONFIRMED = "confirmed", _("Công dân đã xác nhận")
        SUBMITTED = "submitted", _("Đã nộp")

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ hỗ trợ"),
        on_delete=models.PROTECT,
        related_name="assist_sessions",
    )
    id_number = models.CharField(_("số định danh cá nhân cán bộ nhập"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("mã hết hạn lúc"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    confirmed_by = models.CharField(
        _("công dân xác nhận bằng"),
        max_length=10,
        blank=True,
        choices=OnlineFiling.Confirmed.choices,
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản công dân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey(
        "core.Village",
        verbose_name=_("thôn/tổ dân phố (CSDL dân cư)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    draft = models.ForeignKey(
        Draft,
        verbose_name=_("hồ sơ đang soạn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assist_sessions",
    )
    created_at = models.DateTimeField(_("bắt đầu lúc"))

    class Meta:
        verbose_name = _("phiên hỗ trợ nộp trực tuyến")
        verbose_name_plural = _("phiên hỗ trợ nộp trực tuyến")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.pk}"


class DeclarationSignature(models.Model):
    """The citizen's own signature on their draft's declaration (decisions/0038): the tờ khai
    PDF as rendered from the answers of `answers_digest`, signed with their certificate through
    a remote signing service or a certificate file. Submitting files this PDF as the
    declaration while the answers still match; a change to the answers makes it stale."""

    class Method(models.TextChoices):
        REMOTE = "remote", _("Ký từ xa (dịch vụ ký số)")
        FILE = "file", _("Ký bằng tệp chứng thư số")

    draft = models.OneToOneField(Draft, on_delete=models.CASCADE, related_name="signature")
    file = models.FileField(_("tờ khai đã ký"), upload_to="filing/signed/%Y/%m/", max_length=200)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    answers_digest = models.CharField(_("mã băm nội dung đã ký"), max_length=64)
    method = models.CharField(_("cách ký"), max_length=10, choices=Method.choices)
    signer_name = models.CharField(_("người ký (trên chứng thư)"), max_length=150)
    certificate_serial = models.CharField(_("số hiệu chứng thư số"), max_length=80)
    certificate_issuer = models.CharField(_("tổ chức cấp chứng thư"), max_length=300)
    signed_at = models.DateTimeField(_("ký lúc"))

    class Meta:
        verbose_name = _("chữ ký của công dân trên tờ khai")
        verbose_name_plural = _("chữ ký của công dân trên tờ khai")

    def __str__(self) -> str:
        return f"{self.draft_id}/{self.method}"
