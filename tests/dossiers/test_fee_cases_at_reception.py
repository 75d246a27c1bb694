"""Reception asks which case the dossier is: the fee is that case's rows only (alternatives are
never added up) and only the papers that apply are ticked and put on the receipt (Mẫu 01).

Birth registration 1.001193 as the shared reference file has it for Hải Phòng: on time free,
late 8.000 đ at the counter; the abandoned-child record, the surrogacy confirmation and the
power of attorney are asked for only in those cases. The clock is frozen on a working day.
"""

import datetime as dt
import re
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, IdentityVia

from .factories import (
    ABANDONED,
    ABANDONED_PAPER,
    CITIZEN_ID,
    LATE,
    ON_TIME,
    PROXY,
    PROXY_PAPER,
    SURROGACY,
    VN,
    applicant,
    make_birth_registration,
)

pytestmark = pytest.mark.django_db

RECEPTION = "/can-bo/mot-cua/tiep-nhan/"
NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=VN)  # a Monday, a working day


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every "now" the app reads (services, views, sessions) is NOW."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    return NOW


@pytest.fixture
def birth(world):
    return make_birth_registration(world.province)


def receive(world, procedure, **kw):
    return services.receive_at_counter(
        world.officer,
        procedure=procedure,
        receiving_unit=world.commune,
        applicant=applicant(),
        **kw,
    )


# --- the service ---------------------------------------------------------------------------


def test_birth_registration_on_time_is_free_and_asks_no_conditional_paper(world, birth):
    d = receive(world, birth, case=ON_TIME)
    assert d.fee_total_vnd == 0
    assert [(f["case"], f["amount_vnd"]) for f in d.fees] == [(ON_TIME, 0)]
    assert sorted(d.components.values_list("name", flat=True)) == [
        "Giấy chứng sinh",
        "Tờ khai đăng ký khai sinh",
    ]
    assert d.current_event.data["fee_case"] == ON_TIME


def test_late_birth_registration_costs_8000_dong_at_the_counter(world, birth):
    d = receive(world, birth, case=LATE, conditions=[PROXY])
    assert d.fee_total_vnd == 8000
    assert d.fees == [
        {
            "kind": "le_phi",
            "amount_vnd": 8000,
            "channel": "in_person",
            "condition": "Hải Phòng, nộp trực tiếp/bưu chính: đăng ký khai sinh không đúng hạn",
            "case": LATE,
            "legal_basis": "NQ 12/2018/NQ-HĐND TP Hải Phòng",
        }
    ]
    assert PROXY_PAPER in set(d.components.values_list("name", flat=True))
    assert ABANDONED_PAPER not in set(d.components.values_list("name", flat=True))
    assert d.current_event.data["conditions"] == [PROXY]


def test_without_a_case_reception_is_refused_in_vietnamese(world, birth):
    with pytest.raises(ValidationError) as caught:
        receive(world, birth)
    [message] = caught.value.message_dict["fee_case"]
    assert message == (
        "Thủ tục có các trường hợp thu phí, lệ phí khác nhau (Đúng hạn; Không đúng hạn): "
        "vui lòng chọn trường hợp của hồ sơ này."
    )
    assert Dossier.objects.count() == 0


def test_an_unknown_case_or_condition_is_refused(world, birth):
    with pytest.raises(ValidationError, match="không có trong phí, lệ phí"):
        receive(world, birth, case="Quá hạn 10 năm")
    with pytest.raises(ValidationError, match="không có trong thành phần hồ sơ"):
        receive(world, birth, case=ON_TIME, conditions=["Song sinh"])
    assert Dossier.objects.count() == 0


def test_online_after_the_exemption_owes_nothing_and_needs_no_case(world, birth):
    d = services.submit_online(
        None, procedure=birth, receiving_unit=world.commune, applicant=applicant()
    )
    assert d.fee_total_vnd == 0
    assert [f["channel"] for f in d.fees] == ["online"]


def test_fees_in_force_never_adds_up_alternative_cases(birth):
    day = NOW.date()
    on_time = services.fees_in_force(birth, online=False, day=day, case=ON_TIME)
    late = services.fees_in_force(birth, online=False, day=day, case=LATE)
    assert [f["amount_vnd"] for f in on_time] == [0]
    assert [f["amount_vnd"] for f in late] == [8000]  # the province's row replaces the national
    before_exemption = services.fees_in_force(
        birth, online=True, day=dt.date(2026, 8, 7), case=LATE
    )
    assert [f["amount_vnd"] for f in before_exemption] == [None]


# --- the counter screen --------------------------------------------------------------------


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def form_data(procedure, page: str, **over) -> dict:
    """What the browser sends: the boxes as the page ticked them, plus the applicant."""
    data = {
        "procedure": procedure.pk,
        "key": re.search(r'name="key" value="([^"]+)"', page).group(1),
        "applicant_kind": "1",
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_id_number": CITIZEN_ID,
        "identity_via": IdentityVia.CHIP_CARD,
        "delivery": "counter",
        "action": "receive",
    }
    for c in procedure.components.all():
        data[f"c{c.pk}_form"] = "original"
        data[f"c{c.pk}_count"] = "1"
        if re.search(rf'name="c{c.pk}_received" checked', page):
            data[f"c{c.pk}_received"] = "on"
    data.update(over)
    return data


def test_reception_screen_shows_the_cases_and_ticks_only_unconditional_papers(
    officer_client, birth
):
    page = officer_client.get(RECEPTION, {"thu_tuc": birth.pk}).content.decode()
    assert 'name="fee_case" value="Đúng hạn"' in page
    assert 'name="fee_case" value="Không đúng hạn"' in page
    assert "8.000\u00a0đ" in page and "NQ 12/2018/NQ-HĐND TP Hải Phòng" in page
    for label in (ABANDONED, SURROGACY, PROXY):
        assert f'name="conditions" value="{label}"' in page
        assert f"Chỉ nộp khi: {label}" in page
    ticked = {c.name for c in birth.components.all() if f'c{c.pk}_received" checked' in page}
    assert ticked == {"Tờ khai đăng ký khai sinh", "Giấy chứng sinh"}
    assert "NQ 23/2026" not in page  # the online exemption is not offered at the counter


def test_counter_refuses_a_dossier_without_a_case_with_a_clear_message(officer_client, birth):
    page = officer_client.get(RECEPTION, {"thu_tuc": birth.pk}).content.decode()
    answer = officer_client.post(RECEPTION, form_data(birth, page))
    assert answer.status_code == 400
    assert "vui lòng chọn trường hợp của hồ sơ này" in answer.content.decode()
    assert Dossier.objects.count() == 0


def test_on_time_at_the_counter_is_free_and_the_receipt_lists_only_received_papers(
    officer_client, birth
):
    page = officer_client.get(RECEPTION, {"thu_tuc": birth.pk}).content.decode()
    answer = officer_client.post(RECEPTION, form_data(birth, page, fee_case=ON_TIME))
    assert answer.status_code == 302
    d = Dossier.objects.get()
    assert d.fee_total_vnd == 0 and d.fees[0]["case"] == ON_TIME
    receipt = officer_client.get(reverse("dossiers:counter_paper", args=[d.pk, "receipt"]))
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=receipt.content,
        capture_output=True,
        check=True,
    )
    text = " ".join(out.stdout.decode("utf-8").split())
    assert "Giấy chứng sinh" in text
    for paper in ("bị bỏ rơi", "mang thai hộ", "ủy quyền"):
        assert paper not in text


def test_late_with_a_proxy_at_the_counter_costs_8000_and_keeps_the_proxy_letter(
    officer_client, birth
):
    page = officer_client.get(RECEPTION, {"thu_tuc": birth.pk}).content.decode()
    proxy = birth.components.get(condition=PROXY)
    data = form_data(
        birth, page, fee_case=LATE, conditions=[PROXY], **{f"c{proxy.pk}_received": "on"}
    )
    assert officer_client.post(RECEPTION, data).status_code == 302
    d = Dossier.objects.get()
    assert d.fee_total_vnd == 8000
    assert PROXY_PAPER in set(d.components.values_list("name", flat=True))
    assert d.current_event.data["conditions"] == [PROXY]
