"""Postal delivery of results (bưu chính công ích, docs/decisions/0043-postal-delivery.md).

`PostalTariff`: what a unit charges to send a result by post (shown up front at filing).
`Consignment`: the one consignment (bưu gửi) of a dossier's result, booked with the post, its
tracking number and status; `ConsignmentEvent`: one append-only row per status it took;
`RefusedUpdate`: a status update from the post that was refused, with the reason.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PostalTariff(models.Model):
    unit = models.OneToOneField(
        "core.Unit", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="+"
    )
    amount_vnd = models.PositiveIntegerField(_("cước chuyển phát kết quả (đồng)"))
    basis = models.CharField(
        _("căn cứ"),
        max_length=300,
        help_text=_("Văn bản hoặc hợp đồng với bưu điện quy định mức cước này."),
    )
    illustrative = models.BooleanField(
        _("mức minh họa"),
        default=False,
        help_text=_("Mức cước chỉ để minh họa (dữ liệu mẫu), chưa phải mức đã ký với bưu điện."),
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cước bưu chính")
        verbose_name_plural = _("cước bưu chính")

    def __str__(self) -> str:
        return f"{self.unit}: {self.amount_vnd} đ"


class RequestedDelivery(models.Model):
    """What the applicant asked at filing: the result by post to this address, at the fee
    shown then (the tariff in force at filing, kept as quoted)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="postal_request"
    )
    address = models.CharField(_("địa chỉ nhận"), max_length=300)
    fee_vnd = models.PositiveIntegerField(_("cước đã báo (đồng)"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("thời điểm yêu cầu"))

    class Meta:
        verbose_name = _("yêu cầu nhận kết quả qua bưu chính")
        verbose_name_plural = _("yêu cầu nhận kết quả qua bưu chính")

    def __str__(self) -> str:
        return str(self.dossier_id)


class Consignment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Đã giao cho bưu điện, chờ bưu điện nhận")
        ACCEPTED = "accepted", _("Bưu điện đã nhận bưu gửi")
        IN_TRANSIT = "in_transit", _("Đang vận chuyển")
        DELIVERED = "delivered", _("Đã phát cho người nhận")
        RETURNED = "returned", _("Chuyển hoàn về cơ quan, cần xử lý")

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="consignment"
    )
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, unique=True)
    tracking_number = models.CharField(_("số vận đơn"), max_length=40, unique=True)
    status = models.CharField(
        _("trạng thái bưu gửi"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    recipient_name = models.CharField(_("người nhận"), max_length=200)
    recipient_phone = models.CharField(_("điện thoại người nhận"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ nhận"), max_length=300)
    fee_vnd = models.PositiveIntegerField(_("cước (đồng)"), default=0)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ giao"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("thời điểm giao bưu điện"))
    status_at = models.DateTimeField(_("thời điểm trạng thái"))
    note = models.CharField(_("ghi chú của bưu điện"), max_length=300, blank=True)
    followed_up = models.BooleanField(_("đã xử lý chuyển hoàn"), default=False)

    class Meta:
        verbose_name = _("bưu gửi kết quả")
        verbose_name_plural = _("bưu gửi kết quả")
        ordering = ["-booked_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"], name="consignment_unit_status")]

    def __str__(self) -> str:
        return self.tracking_number


class ConsignmentEvent(models.Model):
    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=12, choices=Consignment.Status.choices)
    at = models.DateTimeField(_("thời điểm"))
    # the post's message id: a replayed update is recognised and refused
    message_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["consignment", "id"]

    def __str__(self) -> str:
        return f"{self.consignment_id}: {self.status}"


class RefusedUpdate(models.Model):
    """A status update from the post that was not recorded, and why (no personal data)."""

    received_at = models.DateTimeField(_("thời điểm nhận"))
    reason = models.CharField(_("lý do từ chối"), max_length=200)
    tracking_number = models.CharField(_("số vận đơn"), max_length=40, blank=True)
    message_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("cập nhật bị từ chối")
        verbose_name_plural = _("cập nhật bị từ chối")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tracking_number}: {self.reason}"
