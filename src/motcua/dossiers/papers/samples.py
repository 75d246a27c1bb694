"""A realistic, deterministic example of every paper: for tests, previews and the demo.

It also shows the dossier app what each field is expected to hold.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from .data import (
    Agency,
    ApologyData,
    Applicant,
    ComponentLine,
    ControlSheetData,
    Handover,
    ReceiptData,
    RefusalData,
    StopNoticeData,
    SupplementRequestData,
    Timeliness,
    TrackingBookData,
    TrackingBookRow,
)

CODE = "000.00.12.H23-260105-0007"
AGENCY = Agency(
    name="Trung tâm Phục vụ hành chính công xã Tân Hòa",
    parent_name="Ủy ban nhân dân xã Tân Hòa",
    address="Thôn Hưng Thịnh, xã Tân Hòa, tỉnh Phú Thọ",
    phone="0210 3855 123",
    locality="Tân Hòa",
)
APPLICANT = Applicant(
    name="Nguyễn Thị Hồng Nhung",
    address="Xóm Đồng Bụt, thôn Hưng Thịnh, xã Tân Hòa, tỉnh Phú Thọ",
    phone="0912 345 678",
    email="hongnhung@example.vn",
)
PROCEDURE = "Đăng ký khai sinh kết hợp cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"


def utc(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    """A moment given in Vietnam time (UTC+7), stored as UTC like the database does."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=7)


RECEIVED = utc(2026, 1, 5, 8, 5)
DUE = utc(2026, 1, 7, 16, 0)
LOOKUP_URL = f"https://motcua.tanhoa.example.vn/tra-cuu/?ma={CODE}"


def receipt() -> ReceiptData:
    return ReceiptData(
        agency=AGENCY,
        dossier_code=CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        components=(
            ComponentLine("Tờ khai đăng ký khai sinh", "Bản chính", 1),
            ComponentLine("Giấy chứng sinh", "Bản chính", 1),
            ComponentLine("Tờ khai tham gia bảo hiểm y tế", "Bản chính", 1),
            ComponentLine("Giấy chứng nhận kết hôn của cha mẹ", "Bản sao", 1),
        ),
        sets_count=1,
        processing_time_text="03 ngày làm việc",
        received_at=RECEIVED,
        appointment_at=DUE,
        result_place="Trung tâm Phục vụ hành chính công xã Tân Hòa, quầy số 2",
        register_book_no="01/2026",
        register_entry_no="0007",
        receiver_name="Trần Văn Hùng",
        lookup_url=LOOKUP_URL,
    )


def supplement_request() -> SupplementRequestData:
    return SupplementRequestData(
        agency=AGENCY,
        paper_no="12/PYCBS",
        issued_at=utc(2026, 1, 5, 8, 20),
        dossier_code=CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        items=(
            "Giấy chứng sinh bản chính (bản đã nộp bị nhòe, không đọc được ngày sinh).",
            "Tờ khai tham gia bảo hiểm y tế có chữ ký của người đi khai.",
        ),
        reason="Hồ sơ chưa đầy đủ, thông tin trên giấy chứng sinh không rõ.",
        officer_name="Trần Văn Hùng",
        officer_contact="điện thoại 0987 654 321",
    )


def refusal() -> RefusalData:
    return RefusalData(
        agency=AGENCY,
        paper_no="03/PTC",
        issued_at=utc(2026, 1, 5, 9, 0),
        applicant=APPLICANT,
        procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        reason=(
            "Thửa đất thuộc quy hoạch hành lang an toàn giao thông đường tỉnh 315; "
            "thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã."
        ),
        signer_name="Lê Thị Hẹn",
        signer_title="Người tiếp nhận hồ sơ",
    )


def apology() -> ApologyData:
    return ApologyData(
        agency=AGENCY,
        paper_no="05/XL-TTPVHCC",
        issued_at=utc(2026, 1, 6, 15, 0),
        applicant=APPLICANT,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        original_due_at=DUE,
        reason="Hệ thống cơ sở dữ liệu hộ tịch điện tử gặp sự cố, chưa cấp được số định danh.",
        new_due_at=utc(2026, 1, 9, 10, 30),
        signer_name="Phạm Quốc Khánh",
        signer_title="Giám đốc",
    )


def stop_notice() -> StopNoticeData:
    return StopNoticeData(
        agency=AGENCY,
        paper_no="02/TB-DGQ",
        issued_at=utc(2026, 3, 9, 10, 0),
        applicant=APPLICANT,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        reason="Ông/bà đã có văn bản đề nghị rút hồ sơ ngày 06/3/2026.",
        legal_basis="Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ",
        guidance="Hồ sơ giấy đã nộp được trả lại tại quầy số 2.",
        signer_name="Phạm Quốc Khánh",
        signer_title="Giám đốc",
    )


def control_sheet() -> ControlSheetData:
    return ControlSheetData(
        agency=AGENCY,
        dossier_code=CODE,
        applicant_name=APPLICANT.name,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        due_at=DUE,
        handovers=(
            Handover(
                "Bộ phận Một cửa chuyển hồ sơ",
                utc(2026, 1, 5, 8, 30),
                "Trần Văn Hùng",
                "Đỗ Thị Hằng (Tư pháp - Hộ tịch)",
                Timeliness.EARLY,
            ),
            Handover(
                "Thẩm định, trình ký",
                utc(2026, 1, 6, 16, 0),
                "Đỗ Thị Hằng (Tư pháp - Hộ tịch)",
                "Phạm Quốc Khánh (Lãnh đạo)",
                Timeliness.ON_TIME,
            ),
            Handover(
                "Ký duyệt, trả về Bộ phận Một cửa",
                utc(2026, 1, 8, 9, 15),
                "Phạm Quốc Khánh (Lãnh đạo)",
                "Trần Văn Hùng",
                Timeliness.LATE,
                "Đã gửi văn bản xin lỗi",
            ),
        ),
    )


def tracking_book() -> TrackingBookData:
    return TrackingBookData(
        agency=AGENCY,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        book_no="01/2026",
        rows=(
            TrackingBookRow(
                dossier_code=CODE,
                procedure_name=PROCEDURE,
                applicant_name=APPLICANT.name,
                received_at=RECEIVED,
                appointment_at=DUE,
                sets_count=1,
                address=APPLICANT.address,
                phone="0912345678",
                returned_at=utc(2026, 1, 8, 10, 0),
                receiver_name="Trần Văn Hùng",
                area="Thôn Hưng Thịnh",
                handover_giver="Trần Văn Hùng",
                handover_receiver="Đỗ Thị Hằng",
                note="Trả muộn, đã xin lỗi",
            ),
            TrackingBookRow(
                dossier_code="000.00.12.H23-260106-0001",
                procedure_name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
                applicant_name="Hoàng Đức Thắng",
                received_at=utc(2026, 1, 6, 14, 45),
                appointment_at=utc(2026, 1, 6, 16, 45),
                sets_count=2,
                address="Thôn Đồng Xuân, xã Tân Hòa",
                phone="0978111222",
                returned_at=utc(2026, 1, 6, 15, 10),
                receiver_name="Lê Thị Hẹn",
                area="Thôn Đồng Xuân",
            ),
        ),
    )
