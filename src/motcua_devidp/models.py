from django.conf import settings
from django.db import models


class Resident(models.Model):
    """A person the provider vouches for: the claims it puts in their ID token."""

    class Gender(models.TextChoices):
        FEMALE = "female", "Nữ"
        MALE = "male", "Nam"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident"
    )
    citizen_id = models.CharField("số định danh cá nhân", max_length=12, unique=True)
    full_name = models.CharField("họ và tên", max_length=150)
    birthdate = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=10, choices=Gender.choices)
    address = models.CharField("nơi cư trú", max_length=300)
    identity_level = models.PositiveSmallIntegerField("mức định danh", default=1)

    def __str__(self) -> str:
        return self.full_name
