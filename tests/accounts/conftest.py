"""Two provinces, three communes and a helper to make staff members with roles there."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import StaffAssignment, User
from motcua.core.models import Department, Unit

PASSWORD = "Mot-cua-2025!an-toan"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def units(db):
    ha_tinh = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    nghe_an = Unit.objects.create(code="40", name="Tỉnh Nghệ An", kind=Unit.Kind.PROVINCE)
    thach_ha = Unit.objects.create(
        code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE, parent=ha_tinh
    )
    cam_xuyen = Unit.objects.create(
        code="18074", name="Xã Cẩm Xuyên", kind=Unit.Kind.COMMUNE, parent=ha_tinh
    )
    vinh = Unit.objects.create(
        code="16681", name="Phường Vinh", kind=Unit.Kind.WARD, parent=nghe_an
    )
    return {
        "ha_tinh": ha_tinh,
        "nghe_an": nghe_an,
        "thach_ha": thach_ha,
        "cam_xuyen": cam_xuyen,
        "vinh": vinh,
    }


@pytest.fixture
def make_staff(db):
    counter = {"n": 0}

    def make(*roles_and_units, full_name="", kind=User.Kind.STAFF, is_active=True, **extra):
        counter["n"] += 1
        username = extra.pop("username", f"canbo{counter['n']}")
        user = User(
            username=username,
            full_name=full_name or f"Nguyễn Văn Cán Bộ {counter['n']}",
            kind=kind,
            is_active=is_active,
            **extra,
        )
        user.set_password(PASSWORD)
        user.save()
        for role, unit in roles_and_units:
            StaffAssignment.objects.create(user=user, unit=unit, role=role)
        return user

    return make


@pytest.fixture
def department(units):
    return Department.objects.create(
        unit=units["thach_ha"], code="ttpvhcc", name="Trung tâm PVHCC Thạch Hà"
    )


@pytest.fixture
def login_as(client):
    """Open a session as `user` without the login form (the form itself is tested separately)."""

    def login(user, verified_device=None):
        client.force_login(user, backend=MODEL_BACKEND)
        if verified_device is not None:
            session = client.session
            session["otp_device_id"] = verified_device.persistent_id
            session.save()
        return client

    return login


@pytest.fixture
def totp_device(db):
    def make(user, confirmed=True):
        return TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=confirmed)

    return make


def code_for(device, drift=0) -> str:
    """The 6-digit code an authenticator app would show now (or `drift` steps later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6, drift=drift):06d}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_totp_throttle(settings):
    """django-otp's back-off (1 s, 2 s, ...) would need sleeps; axes is what we test."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
