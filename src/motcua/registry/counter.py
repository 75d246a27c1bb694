"""The counter's lookup, as both the JSON endpoint and the reception form without JavaScript
answer it: limited per officer, logged by the service, told in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motcua.core import ratelimit

from . import services
from .interface import Person, RegistryUnavailable

RATE_WINDOW = 60


@dataclass
class CounterAnswer:
    status: int  # the HTTP status the JSON endpoint answers with
    found: bool = False
    lookup_id: int | None = None
    message: str = ""
    person: dict = field(default_factory=dict)
    unavailable: bool = False
    limited: bool = False


def person_summary(person: Person) -> dict:
    """What the counter needs to compare with the applicant, not the household."""
    return {
        "citizen_id": person.citizen_id,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.strftime("%d/%m/%Y"),
        "sex": person.sex_label,
        "permanent_residence": person.permanent_residence,
        "current_residence": person.current_residence,
    }


def look_up(*, user, unit, citizen_id: str, purpose: str) -> CounterAnswer:
    if (
        ratelimit.hit("registry_lookup", str(user.pk), window=RATE_WINDOW)
        > settings.MOTCUA_REGISTRY_LOOKUPS_PER_MINUTE
    ):
        return CounterAnswer(
            status=429,
            limited=True,
            message=_("Tra cứu quá nhiều lần trong một phút. Vui lòng đợi rồi thử lại."),
        )
    try:
        person, row = services.lookup_recorded(citizen_id, actor=user, purpose=purpose, unit=unit)
    except ValidationError as exc:
        return CounterAnswer(status=400, message=exc.messages[0])
    except RegistryUnavailable:
        return CounterAnswer(
            status=503,
            unavailable=True,
            message=_(
                "Không kết nối được Cơ sở dữ liệu quốc gia về dân cư. Vẫn tiếp nhận được: "
                "nhập thông tin theo giấy tờ của người nộp; hồ sơ sẽ ghi là chưa xác thực "
                "qua CSDL dân cư."
            ),
        )
    if person is None:
        return CounterAnswer(
            status=200,
            lookup_id=row.pk,
            message=_(
                "Không tìm thấy số định danh này trong CSDL quốc gia về dân cư. Kiểm tra lại "
                "số, hoặc nhập thông tin theo giấy tờ; hồ sơ sẽ ghi là chưa xác thực qua "
                "CSDL dân cư."
            ),
        )
    return CounterAnswer(
        status=200,
        found=True,
        lookup_id=row.pk,
        person=person_summary(person),
        message=_(
            "Đã tìm thấy trong CSDL quốc gia về dân cư. Họ tên và địa chỉ đã được điền; "
            "đối chiếu với người nộp. Giữ nguyên họ tên và số định danh thì hồ sơ được ghi "
            "là đã xác thực qua CSDL quốc gia về dân cư."
        ),
    )
