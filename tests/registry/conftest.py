"""Registry tests: the two demo communes with their real village figures, their synthetic
population, and staff of both communes."""

import itertools

import pytest

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.core.models import Unit
from motcua.demo import services as demo
from motcua.registry import population

_seq = itertools.count(1)
LAN = "031190012345"
MINH = "031089054321"
HUNG = "031085067890"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def communes(db):
    """Hải Phòng, xã Vĩnh Bảo (10 villages) and xã Vĩnh Thịnh (3), as the demo loads them."""
    province = Unit.objects.create(code="31", name="Thành phố Hải Phòng", kind=Unit.Kind.PROVINCE)
    for code, name in (("11824", "Xã Vĩnh Bảo"), ("11836", "Xã Vĩnh Thịnh")):
        Unit.objects.create(code=code, name=name, kind=Unit.Kind.COMMUNE, parent=province)
    spec = demo.read_json(demo.COMMUNES_FILE)
    return [demo.load_commune(spec=c) for c in spec["communes"]]


@pytest.fixture
def people(communes):
    return population.generate(units=communes)


@pytest.fixture
def vinh_bao(communes):
    return communes[0]


@pytest.fixture
def vinh_thinh(communes):
    return communes[1]


def make_user(*roles_in_units, name="", kind=User.Kind.STAFF) -> User:
    n = next(_seq)
    user = User.objects.create_user(
        username=f"dc{n}", password=None, kind=kind, full_name=name or f"Cán bộ {n}"
    )
    for role, unit in roles_in_units:
        StaffAssignment.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def officer(vinh_bao):
    return make_user((Role.COUNTER_OFFICER, vinh_bao), name="Nguyễn Thị Hòa")


@pytest.fixture
def manager(vinh_bao):
    return make_user((Role.MANAGER, vinh_bao), name="Đỗ Thị Mai")


@pytest.fixture
def other_officer(vinh_thinh):
    return make_user((Role.COUNTER_OFFICER, vinh_thinh), name="Đặng Thị Hạnh")


@pytest.fixture
def other_manager(vinh_thinh):
    return make_user((Role.MANAGER, vinh_thinh), name="Phan Văn Long")


@pytest.fixture
def citizen(db):
    return make_user(name="Nguyễn Thị Lan", kind=User.Kind.CITIZEN)
