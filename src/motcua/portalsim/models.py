"""The simulated National Public Service Portal's own books (development and tests only).

The simulator is the other side of the protocol (docs/national-portal-sync.md): it knows
nothing of motcua's outbox, only the messages. `ReceivedMessage` is what the "portal" holds,
once per message id, in the order it accepted them; `Behaviour` (one row) says how it
misbehaves now.
"""

from django.db import models


class ReceivedMessage(models.Model):
    message_id = models.CharField(max_length=64, unique=True)  # MaTinNhan
    kind = models.CharField(max_length=20)  # LoaiTinNhan
    dossier_code = models.CharField(max_length=60)  # MaHoSo
    status = models.SmallIntegerField(null=True)  # TrangThaiHoSo
    body = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["dossier_code", "id"])]

    def __str__(self) -> str:
        return f"{self.dossier_code} {self.message_id}"


class Behaviour(models.Model):
    """How the simulated portal answers now (set by tests and by a developer).

    `down`: 503 to everything. `delay_ms`: sleep before answering. `reject_code` (+ `reason`):
    refuse every message with that error code. `non_json`: answer 200 with an HTML page.
    `accept_then_sleep_ms`: store the messages, then sleep that long before answering (the
    client times out after the portal accepted)."""

    down = models.BooleanField(default=False)
    delay_ms = models.PositiveIntegerField(default=0)
    reject_code = models.CharField(max_length=10, blank=True)
    reject_reason = models.CharField(max_length=200, blank=True)
    non_json = models.BooleanField(default=False)
    accept_then_sleep_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return "behaviour"

    @classmethod
    def now(cls) -> "Behaviour":
        return cls.objects.get_or_create(pk=1)[0]
