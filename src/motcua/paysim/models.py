"""The simulated national payment platform's own books (development and tests only).

The simulator is the other side of the protocol: it knows nothing of motcua's payments app,
only the messages (docs/payment-platform.md). Its rows say what the "platform" holds for each
partner reference; `Behaviour` (one row) says how it misbehaves now.
"""

from django.db import models


class SimulatedTransaction(models.Model):
    reference = models.CharField(max_length=40, unique=True)  # the partner's MaThamChieu
    transaction_id = models.CharField(max_length=40, unique=True)  # the platform's own id
    partner = models.CharField(max_length=40)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=12, default="khoi-tao")  # khoi-tao, thanh-cong, that-bai
    error_code = models.CharField(max_length=4, default="")
    return_url = models.URLField(max_length=500)
    payer_name = models.CharField(max_length=200, blank=True)
    dossier_code = models.CharField(max_length=60, blank=True)
    unit_code = models.CharField(max_length=40, blank=True, default="")  # MaDonVi of the INIT
    created = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)  # when the payer paid (the daily file)

    def __str__(self) -> str:
        return f"{self.reference}: {self.state}"


class Behaviour(models.Model):
    """How the simulator answers now (set by tests and by a developer): `down` answers 503 to
    everything; `delay_ms` sleeps before answering; `fail_init` refuses new payments with an
    error code; `pending_checks` answers "khoi-tao" to that many status queries before the
    truth (a slow bank); `forge_answers` signs answers with a wrong secret (an impostor)."""

    down = models.BooleanField(default=False)
    delay_ms = models.PositiveIntegerField(default=0)
    fail_init = models.CharField(max_length=4, blank=True)
    pending_checks = models.PositiveIntegerField(default=0)
    forge_answers = models.BooleanField(default=False)  # sign answers with another secret
    # the simulated bank (paysim.bank): wait before notifying, notify twice, hold notifications
    # until released (then sent newest first: out of order), sign with a wrong secret
    bank_delay_ms = models.PositiveIntegerField(default=0)
    bank_send_twice = models.BooleanField(default=False)
    bank_hold = models.BooleanField(default=False)
    bank_forge = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "behaviour"

    @classmethod
    def now(cls) -> "Behaviour":
        return cls.objects.get_or_create(pk=1)[0]


class SimulatedTransfer(models.Model):
    """The simulated bank's book: a transfer a tester made to a collection account, and what
    became of the notification the bank sends about it (`paysim.bank`). `pending` until the
    receiver acknowledged it (its code 00 or 02); held or unanswered ones are sent again."""

    transaction_id = models.CharField(max_length=40, unique=True)  # the bank's own id
    account = models.CharField(max_length=19)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="VND")
    description = models.CharField(max_length=200)
    made_at = models.DateTimeField()
    state = models.CharField(max_length=10, default="pending")  # pending, delivered
    sends = models.PositiveIntegerField(default=0)
    last_answer = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.transaction_id}: {self.state}"
