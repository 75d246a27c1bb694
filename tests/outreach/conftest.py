"""A commune with three villages, a neighbouring commune, and staff holding outreach roles."""

import uuid
from datetime import datetime

import pytest
from django.utils import timezone

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.core.models import Unit, Village

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def commune(db):
    province = Unit.objects.create(code="31", name="Thành phố Hải Phòng", kind=Unit.Kind.PROVINCE)
    return Unit.objects.create(
        code="11824", name="Xã Vĩnh Bảo", kind=Unit.Kind.COMMUNE, parent=province
    )


@pytest.fixture
def other_commune(commune):
    return Unit.objects.create(
        code="11836", name="Xã Vĩnh Thịnh", kind=Unit.Kind.COMMUNE, parent=commune.parent
    )


@pytest.fixture
def villages(commune):
    return {
        "thon1": Village.objects.create(
            unit=commune, name="Thôn 1", population=300, working_age_population=200
        ),
        "thon2": Village.objects.create(
            unit=commune, name="Thôn 2", population=600, working_age_population=400
        ),
        "dong": Village.objects.create(
            unit=commune, name="Đông", population=100, working_age_population=0
        ),
    }


@pytest.fixture
def far_village(other_commune):
    return Village.objects.create(
        unit=other_commune, name="Thôn Tây", population=1870, working_age_population=1120
    )


@pytest.fixture
def make_staff(db):
    counter = {"n": 0}

    def make(role, unit, village=None, full_name=""):
        counter["n"] += 1
        user = User.objects.create_user(
            username=f"canbo{counter['n']}",
            password="Mot-cua-2025!an-toan",
            full_name=full_name or f"Cán Bộ {counter['n']}",
        )
        StaffAssignment.objects.create(user=user, unit=unit, role=role, village=village)
        return user

    return make


@pytest.fixture
def team_member(make_staff, commune, villages):
    return make_staff(Role.DIGITAL_TEAM, commune, villages["thon1"], "Hoàng Văn Nam")


@pytest.fixture
def manager(make_staff, commune):
    return make_staff(Role.MANAGER, commune, full_name="Đỗ Thị Mai")


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return sign_in


def at(text: str) -> datetime:
    """'2026-11-20 09:00' in Vietnam time, as an aware datetime."""
    return timezone.make_aware(datetime.fromisoformat(text))


def new_key() -> uuid.UUID:
    return uuid.uuid4()
