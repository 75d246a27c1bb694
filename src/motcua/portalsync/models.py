"""The outbox of messages to the National Public Service Portal (Cổng DVCQG).

One `PortalMessage` row per dossier change the portal must learn of (creation, a status change,
a new appointment date) and per result sent to the citizen's data store there. The row is
written in the transaction of the change (`outbox.enqueue_for_transition`), so a rolled-back
change never reaches the portal and a committed one is never lost; `sender.drain` sends it.

The payload is stored in motcua's own neutral names, frozen at the moment of the change (the
portal must learn the dossier as it was then, not as it is when the message goes out);
`adapter` alone knows the portal's field names.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Unit


class PortalMessage(models.Model):
    """Tin nhắn đồng bộ lên Cổng DVCQG: one change of one dossier, with its delivery state."""

    unit_scope_field = "unit"

    class Kind(models.TextChoices):
        STATUS = "status", _("Đồng bộ trạng thái hồ sơ")
        RESULT = "result", _("Kết quả vào kho dữ liệu của công dân")

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Cổng đã nhận")
        DEAD = "dead", _("Lỗi, đã ngừng gửi")

    message_id = models.CharField(_("mã tin nhắn"), max_length=36, unique=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="portal_messages",
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=60)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    # the order within the dossier: its event id, twice, +1 for the result after its status
    seq = models.BigIntegerField(_("thứ tự trong hồ sơ"))
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    national_status = models.PositiveSmallIntegerField(_("trạng thái gửi Cổng"))
    payload = models.JSONField(_("nội dung"))
    changed_at = models.DateTimeField(_("thời điểm thay đổi"))
    # accepted by then: "synced on time" (MOTCUA_DVCQG_ON_TIME_HOURS after the change)
    on_time_by = models.DateTimeField(_("hạn đồng bộ"))
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    # a worker's lease: set by the claim, cleared with the outcome; a lease that ran out is
    # a worker that died mid-batch, and the row is claimed again (the portal dedups the id)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=300, blank=True)
    rejected = models.BooleanField(_("Cổng từ chối"), default=False)
    accepted_at = models.DateTimeField(_("Cổng nhận lúc"), null=True, blank=True)
    lag = models.DurationField(_("độ trễ"), null=True, blank=True)  # accepted_at - changed_at
    # written after the fact by `manage.py portal_sync_backfill` for a change made before the
    # sync existed: never on time, and left out of the lag figures (its lag is the backfill's)
    backfilled = models.BooleanField(_("đồng bộ bổ sung"), default=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tin nhắn đồng bộ Cổng DVCQG")
        verbose_name_plural = _("tin nhắn đồng bộ Cổng DVCQG")
        ordering = ["dossier_id", "seq"]
        indexes = [
            # the claim: pending rows, by dossier and order (the head of each dossier)
            models.Index(
                fields=["dossier", "seq"],
                name="portalmsg_open",
                condition=models.Q(state__in=["pending", "dead"]),
            ),
            models.Index(fields=["state", "next_attempt_at"], name="portalmsg_due"),
            models.Index(fields=["unit", "changed_at"], name="portalmsg_unit_time"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="portalmsg_one_per_seq"),
        ]

    def __str__(self) -> str:
        # no applicant data: this string reaches admin lists and the audit log
        return f"{self.dossier_code} #{self.seq} {self.kind}"
