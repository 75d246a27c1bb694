"""The simulated post's own books (development and tests only): it knows only the messages of
docs/postal-delivery.md, nothing of motcua's models."""

from django.db import models


class SimulatedConsignment(models.Model):
    order_id = models.CharField(max_length=64, unique=True)  # the sender's ma_don_hang
    tracking_number = models.CharField(max_length=40, unique=True)
    customer = models.CharField(max_length=40)
    recipient = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    callback_url = models.URLField(max_length=500)
    status = models.CharField(max_length=20, default="da-tao")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.tracking_number


class Behaviour(models.Model):
    """How the simulated post answers now: `down` answers 503 to everything."""

    down = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "behaviour"

    @classmethod
    def now(cls) -> "Behaviour":
        return cls.objects.get_or_create(pk=1)[0]
