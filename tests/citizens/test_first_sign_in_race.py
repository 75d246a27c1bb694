"""One person's first sign-in from two tabs at once makes one account, not an error."""

import datetime as dt

import pytest

from motcua.accounts.models import User
from motcua.citizens import services
from motcua.citizens.claims import Claims
from motcua.citizens.models import CitizenIdentity
from tests.bursts import burst

pytestmark = pytest.mark.django_db(transaction=True)

LAN = Claims(
    subject="lan-sub",
    citizen_id="031190012345",
    full_name="Nguyễn Thị Lan",
    date_of_birth=dt.date(1990, 3, 14),
    sex="female",
    address="Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng",
    identity_level=2,
)


def test_simultaneous_first_sign_ins_make_one_account():
    users = burst(6, lambda _i: services.sign_in(issuer="https://id.example", claims=LAN).pk)
    assert len(set(users)) == 1
    assert CitizenIdentity.objects.count() == 1
    # a loser's account row, made before its identity row failed, went with its transaction
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 1
