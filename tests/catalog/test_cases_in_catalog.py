"""Cases (trường hợp) in the catalog: fee rows for alternative cases and papers asked for only
in some cases travel through export and import, and the publicity check names a fee row that
has no case although the procedure's rows are alternatives."""

import datetime as dt
import io
import json

import pytest

from motcua.catalog import cases, exporting, importing, publicity, services
from motcua.catalog.models import Component, Fee, Procedure

from .factories import make_procedure, make_unit

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)


def birth_registration(unit) -> Procedure:
    """1.001193 as in the shared reference file, with its cases written down."""
    p = make_procedure(unit=unit, code="1.001193", name="Thủ tục đăng ký khai sinh", complete=True)
    p.fees.all().delete()
    Fee.objects.create(
        procedure=p,
        amount_vnd=0,
        case="Đúng hạn",
        condition="đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh)",
        legal_basis="Luật Hộ tịch 2014 Điều 11; TT 85/2019/TT-BTC",
    )
    Fee.objects.create(
        procedure=p,
        amount_vnd=8000,
        channel=Fee.Channel.IN_PERSON,
        case="Không đúng hạn",
        condition="Hải Phòng, nộp trực tiếp/bưu chính: đăng ký khai sinh không đúng hạn",
        legal_basis="NQ 12/2018/NQ-HĐND TP Hải Phòng",
    )
    Component.objects.create(
        procedure=p, order=2, name="Biên bản về việc trẻ bị bỏ rơi", condition="Trẻ bị bỏ rơi"
    )
    Component.objects.create(
        procedure=p, order=3, name="Văn bản ủy quyền", condition="Nộp qua người được ủy quyền"
    )
    return p


def export(unit, fmt: str) -> bytes:
    qs = Procedure.objects.filter(unit=unit)
    return exporting.export_json(qs) if fmt == "json" else exporting.export_xlsx(qs)


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_export_then_import_keeps_fee_cases_and_component_conditions(fmt):
    source, target = make_unit(), make_unit()
    birth_registration(source)
    blob = export(source, fmt)

    report = services.import_catalog(
        unit=target, records=importing.parse_file(io.BytesIO(blob), f"x.{fmt}"), actor=None
    )

    assert report.errors == [] and report.created == 1
    copy = Procedure.objects.get(unit=target)
    assert sorted((f.case, f.amount_vnd) for f in copy.fees.all()) == [
        ("Không đúng hạn", 8000),
        ("Đúng hạn", 0),
    ]
    assert {c.name: c.condition for c in copy.components.all()} == {
        "Tờ khai đăng ký kết hôn": "",
        "Biên bản về việc trẻ bị bỏ rơi": "Trẻ bị bỏ rơi",
        "Văn bản ủy quyền": "Nộp qua người được ủy quyền",
    }
    assert json.loads(export(target, "json")) == json.loads(export(source, "json"))


def test_the_json_record_names_the_case_and_the_condition():
    unit = make_unit()
    birth_registration(unit)
    [rec] = json.loads(export(unit, "json"))
    assert [f["case"] for f in rec["fees"]] == ["Đúng hạn", "Không đúng hạn"]
    assert rec["components"][1]["condition"] == "Trẻ bị bỏ rơi"


def test_a_too_long_case_label_is_refused_with_its_column():
    unit = make_unit()
    record = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "fees": [{"kind": "lệ phí", "amount_vnd": 0, "case": "x" * 121}],
    }
    report = services.import_catalog(
        unit=unit, records=[importing.RowInput(row=1, record=record)], actor=None
    )
    assert [(e.column, e.message) for e in report.errors] == [
        ("Phí, lệ phí #1 › Thuộc trường hợp", "quá dài (121 ký tự; tối đa 120).")
    ]


def test_alternative_cases_are_offered_and_never_added_up():
    p = birth_registration(make_unit())
    choice = cases.fee_choice(p.fees.all(), online=False, day=DAY)
    assert [(o.case, o.total_vnd) for o in choice.options] == [
        ("Đúng hạn", 0),
        ("Không đúng hạn", 8000),
    ]
    assert cases.conditions_of(p.components.all()) == [
        "Trẻ bị bỏ rơi",
        "Nộp qua người được ủy quyền",
    ]
    assert [c.name for c in cases.required(p.components.all(), case="Đúng hạn")] == [
        "Tờ khai đăng ký kết hôn"
    ]


def test_publicity_check_reports_a_fee_row_without_a_case_among_alternatives():
    unit = make_unit()
    clean = birth_registration(unit)
    death = make_procedure(unit=unit, name="Thủ tục đăng ký khai tử", complete=True)
    Fee.objects.filter(procedure=death).update(case="Đúng hạn")
    Fee.objects.create(procedure=death, amount_vnd=8000, case="Không đúng hạn")
    uncased = Fee.objects.create(
        procedure=death, amount_vnd=None, condition="mức do HĐND cấp tỉnh quy định"
    )
    # another kind, or an online-only row replacing every case, is not an alternative
    Fee.objects.create(procedure=clean, kind=Fee.Kind.FEE, amount_vnd=None)
    Fee.objects.create(procedure=clean, amount_vnd=0, channel=Fee.Channel.ONLINE)

    found = dict(publicity.missing_information(Procedure.objects.all()))

    assert found == {death: ["fee_without_case"]}
    assert publicity.problem_counts(Procedure.objects.all())["fee_without_case"] == 1
    assert cases.uncased_alternatives(death.fees.all()) == [uncased]
    assert cases.uncased_alternatives(clean.fees.all()) == []
    assert "chưa gắn trường hợp" in publicity.problem_label("fee_without_case")


def test_public_page_shows_the_cases_and_when_each_paper_is_needed(client):
    from django.urls import reverse

    p = birth_registration(make_unit())
    page = client.get(reverse("catalog:procedure_detail", args=[p.pk])).content.decode()
    assert "không cộng dồn giữa các trường hợp" in page
    assert "<strong>Đúng hạn</strong>: đăng ký khai sinh đúng hạn" in page
    assert "<strong>Không đúng hạn</strong>: Hải Phòng" in page
    assert "Chỉ nộp khi: Trẻ bị bỏ rơi" in page
    assert "Chỉ nộp khi: Nộp qua người được ủy quyền" in page
