"""Builders for dossier tests: a province with two communes, staff, a procedure with steps.

No factory library: plain functions that call the real services, so every row a test sees was
made the way production makes it.
"""

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.catalog.models import Component, Fee, Field, Procedure, ProcessStep, StepStage
from motcua.core.models import Department, Unit
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierDocument, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_seq = itertools.count(1)
CITIZEN_ID = "001203004567"


def at(y, m, d, hour=9, minute=0) -> dt.datetime:
    """A moment in Vietnamese local time."""
    return dt.datetime(y, m, d, hour, minute, tzinfo=VN)


def pdf(name: str = "van-ban.pdf") -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% test\n", name=name)


def make_staff(*roles_in_units: tuple[str, Unit], name: str = "") -> User:
    n = next(_seq)
    user = User.objects.create_user(
        username=f"cb{n}", password=None, kind=User.Kind.STAFF, full_name=name or f"Cán bộ {n}"
    )
    for role, unit in roles_in_units:
        StaffAssignment.objects.create(user=user, unit=unit, role=role)
    return user


@dataclass
class World:
    province: Unit
    commune: Unit
    other: Unit
    procedure: Procedure
    officer: User
    specialist: User
    leader: User
    manager: User
    other_officer: User
    other_leader: User


def make_procedure(unit: Unit, *, days="5", online_days="4", steps=True, **kw) -> Procedure:
    field, _ = Field.objects.get_or_create(name="Hộ tịch", defaults={"code": "ho-tich"})
    procedure = Procedure.objects.create(
        unit=unit,
        code=f"1.{next(_seq):06d}",
        name=kw.pop("name", "Đăng ký khai sinh"),
        field=field,
        processing_days=Decimal(days),
        online_processing_days=Decimal(online_days) if online_days else None,
        **{"is_published": True, **kw},
    )
    Component.objects.create(procedure=procedure, order=1, name="Tờ khai đăng ký khai sinh")
    Component.objects.create(procedure=procedure, order=2, name="Giấy chứng sinh")
    Fee.objects.create(procedure=procedure, amount_vnd=8000, channel=Fee.Channel.ANY)
    Fee.objects.create(procedure=procedure, amount_vnd=0, channel=Fee.Channel.ONLINE)
    if steps:
        ProcessStep.objects.create(
            procedure=procedure,
            order=1,
            name="Tiếp nhận, chuyển hồ sơ",
            department_kind="service_centre",
            days=Decimal("0.5"),
            stage=StepStage.RECEPTION,
        )
        ProcessStep.objects.create(
            procedure=procedure,
            order=2,
            name="Thẩm định, trình ký",
            department_kind="culture_society",
            days=Decimal("3.5"),
        )
        ProcessStep.objects.create(
            procedure=procedure,
            order=3,
            name="Lãnh đạo ký duyệt",
            days=Decimal("1"),
            stage=StepStage.APPROVAL,
        )
    return procedure


ON_TIME, LATE = "Đúng hạn", "Không đúng hạn"
ABANDONED, SURROGACY, PROXY = "Trẻ bị bỏ rơi", "Mang thai hộ", "Nộp qua người được ủy quyền"
ABANDONED_PAPER = "Biên bản về việc trẻ bị bỏ rơi do cơ quan có thẩm quyền lập"
SURROGACY_PAPER = "Văn bản xác nhận của cơ sở y tế đã thực hiện kỹ thuật hỗ trợ sinh sản"
PROXY_PAPER = "Văn bản ủy quyền (được chứng thực)"


def make_birth_registration(unit: Unit) -> Procedure:
    """1.001193 as the shared reference file has it for Hải Phòng, with its cases."""
    p = make_procedure(unit, name="Thủ tục đăng ký khai sinh", steps=False)
    p.fees.all().delete()
    p.components.all().delete()
    Fee.objects.create(
        procedure=p,
        amount_vnd=0,
        case=ON_TIME,
        condition="đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh)",
        legal_basis="Luật Hộ tịch 2014 Điều 11; TT 85/2019/TT-BTC",
    )
    Fee.objects.create(
        procedure=p,
        amount_vnd=None,
        case=LATE,
        condition="đăng ký khai sinh không đúng hạn: mức do HĐND cấp tỉnh quy định",
        legal_basis="TT 85/2019/TT-BTC",
    )
    Fee.objects.create(
        procedure=p,
        amount_vnd=8000,
        channel=Fee.Channel.IN_PERSON,
        case=LATE,
        condition="Hải Phòng, nộp trực tiếp/bưu chính: đăng ký khai sinh không đúng hạn",
        legal_basis="NQ 12/2018/NQ-HĐND TP Hải Phòng",
    )
    Fee.objects.create(
        procedure=p,
        amount_vnd=0,
        channel=Fee.Channel.ONLINE,
        valid_from=dt.date(2026, 8, 8),
        condition="Hải Phòng: nộp trực tuyến qua Cổng DVCQG hoặc VNeID",
        legal_basis="NQ 23/2026/NQ-HĐND TP Hải Phòng",
    )
    for order, (name, condition) in enumerate(
        [
            ("Tờ khai đăng ký khai sinh", ""),
            ("Giấy chứng sinh", ""),
            (ABANDONED_PAPER, ABANDONED),
            (SURROGACY_PAPER, SURROGACY),
            (PROXY_PAPER, PROXY),
        ],
        start=1,
    ):
        Component.objects.create(procedure=p, order=order, name=name, condition=condition)
    return p


ROUTING = (  # name, department kind, working days, stage: birth registration at a commune
    ("Tiếp nhận, kiểm tra hồ sơ tại Bộ phận Một cửa", "service_centre", "0.5", "reception"),
    ("Thẩm định hồ sơ, dự thảo kết quả", "culture_society", "3", "processing"),
    ("Lãnh đạo UBND xã xem xét, ký duyệt", "", "1", "approval"),
    ("Trả kết quả, lưu hồ sơ", "service_centre", "0.5", "return"),
)


def add_routing(procedure: Procedure) -> Procedure:
    """Reception, examination, the leader's signature, return: one step of each stage."""
    for order, (name, kind, days, stage) in enumerate(ROUTING, start=1):
        ProcessStep.objects.create(
            procedure=procedure,
            order=order,
            name=name,
            department_kind=kind,
            days=Decimal(days),
            stage=stage,
        )
    return procedure


def make_world() -> World:
    n = next(_seq)
    province = Unit.objects.create(code=f"9{n:03d}", name="Thành phố Hải Phòng", kind="province")
    commune = Unit.objects.create(
        code=f"8{n:04d}",
        agency_code=f"000.{n % 100:02d}.12.H23",  # 2 digits, as real codes have
        name="Xã An Hưng",
        kind="commune",
        parent=province,
    )
    other = Unit.objects.create(
        code=f"7{n:04d}", name="Xã Kiến Thụy", kind="commune", parent=province
    )
    for unit in (commune, other):
        Department.objects.create(
            unit=unit, code="ttpvhcc", name="Trung tâm PVHCC", kind="service_centre"
        )
        Department.objects.create(
            unit=unit, code="vhxh", name="Phòng Văn hóa - Xã hội", kind="culture_society"
        )
    return World(
        province=province,
        commune=commune,
        other=other,
        procedure=make_procedure(province),
        officer=make_staff((Role.COUNTER_OFFICER, commune), name="Trần Thị Một Cửa"),
        specialist=make_staff((Role.SPECIALIST, commune), name="Lê Văn Chuyên"),
        leader=make_staff((Role.LEADER, commune), name="Phạm Văn Lãnh"),
        manager=make_staff((Role.MANAGER, commune), name="Đỗ Thị Quản"),
        other_officer=make_staff((Role.COUNTER_OFFICER, other), name="Vũ Văn Khác"),
        other_leader=make_staff((Role.LEADER, other), name="Ngô Văn Khác"),
    )


def applicant(**kw) -> services.Applicant:
    return services.Applicant(
        **{"name": "Nguyễn Văn An", "id_number": CITIZEN_ID, "phone": "0912345678", **kw}
    )


def receive(w: World, when: dt.datetime | None = None, **kw) -> Dossier:
    return services.receive_at_counter(
        w.officer,
        procedure=kw.pop("procedure", w.procedure),
        receiving_unit=kw.pop("receiving_unit", w.commune),
        applicant=kw.pop("applicant", applicant()),
        at=when or at(2026, 11, 2, 9),
        **kw,
    )


def attach(w: World, dossier: Dossier, kind: str, *, signed: bool = False):
    return services.attach_document(
        w.officer, dossier_id=dossier.pk, kind=kind, file=pdf(f"{kind}.pdf"), signed=signed
    )


def finish_all_steps(w: World, dossier: Dossier, when: dt.datetime | None = None) -> Dossier:
    """Finish the processing steps (approval and return steps close with their own verbs)."""
    while dossier.steps.filter(finished_at__isnull=True, stage=StepStage.PROCESSING).exists():
        dossier = services.finish_step(w.specialist, dossier_id=dossier.pk, at=when)
    return dossier


def drive_to(w: World, status: int, when: dt.datetime | None = None) -> Dossier:
    """A dossier of the world's commune in `status`, reached through the services."""
    when = when or at(2026, 11, 2, 9)
    if status == Status.SUBMITTED:
        return services.submit_online(
            None,
            procedure=w.procedure,
            receiving_unit=w.commune,
            applicant=applicant(),
            at=when,
        )
    d = receive(w, when)
    pk = d.pk
    if status == Status.RECEIVED:
        return d
    if status == Status.REFUSED:
        attach(w, d, DossierDocument.Kind.REFUSAL_LETTER)
        return services.refuse(w.officer, dossier_id=pk, reason="Không thuộc thẩm quyền")
    if status == Status.TRANSFERRING:
        return services.transfer_to_unit(
            w.manager, dossier_id=pk, to_unit=w.other, reason="Liên thông"
        )
    if status == Status.WITHDRAWN:
        attach(w, d, DossierDocument.Kind.WITHDRAWAL_REQUEST)
        return services.withdraw(None, dossier_id=pk, reason="Công dân xin rút")
    services.start_processing(w.officer, dossier_id=pk, assignee=w.specialist)
    if status == Status.PROCESSING:
        return Dossier.objects.get(pk=pk)
    if status == Status.AWAITING_SUPPLEMENT:
        return services.request_supplement(
            w.specialist, dossier_id=pk, items=["Bản sao giấy chứng sinh"], reason="Thiếu"
        )
    if status == Status.AWAITING_FINANCIAL_OBLIGATION:
        return services.request_financial_obligation(w.specialist, dossier_id=pk, amount_vnd=50000)
    if status == Status.STOPPED:
        attach(w, d, DossierDocument.Kind.STOP_LETTER)
        return services.stop(w.specialist, dossier_id=pk, reason="Có tranh chấp")
    finish_all_steps(w, d)
    services.submit_for_approval(w.specialist, dossier_id=pk)
    if status == Status.AWAITING_APPROVAL:
        return Dossier.objects.get(pk=pk)
    services.approve(w.leader, dossier_id=pk)
    if status == Status.APPROVED:
        return Dossier.objects.get(pk=pk)
    attach(w, d, DossierDocument.Kind.RESULT, signed=True)
    services.mark_result_ready(w.specialist, dossier_id=pk)
    if status == Status.RESULT_READY:
        return Dossier.objects.get(pk=pk)
    return services.return_result(w.officer, dossier_id=pk, delivery="counter")


def complete_processing(w: World, dossier: Dossier, when: dt.datetime | None = None) -> Dossier:
    """The department's whole part: processing steps finished, submitted, the leader approves
    (the approval step closes with it); the result can be marked ready next."""
    finish_all_steps(w, dossier, when)
    services.submit_for_approval(w.specialist, dossier_id=dossier.pk, at=when)
    return services.approve(w.leader, dossier_id=dossier.pk, at=when)
