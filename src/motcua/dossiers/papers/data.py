"""What each standard paper says, as frozen dataclasses (RULES.md §2, Mẫu 01-07).

The dossier app builds these from its rows; the renderers only format them. Datetimes must be
timezone-aware (stored UTC, printed in Asia/Ho_Chi_Minh): a naive one is refused here, because a
paper printed seven hours off would give the citizen a wrong appointment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


def _require_aware(owner: object, **values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{type(owner).__name__}.{name} must be timezone-aware")


def _require_text(owner: object, **values: str) -> None:
    for name, value in values.items():
        if not (value or "").strip():
            raise ValueError(f"{type(owner).__name__}.{name} must not be empty")


class Timeliness(enum.Enum):
    """Result of one processing step on the control sheet (Mẫu 06).

    Values match `dossiers.models.Timeliness`, so `Timeliness(step.result)` maps a stored step.
    """

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def label(self) -> str:
        """Printed wording; papers are Vietnamese whatever the UI language."""
        return _LABELS[self]

    @classmethod
    def classify(cls, finished_at: datetime, due_at: datetime) -> Timeliness:
        """Early before the due minute, on time within it, late after (provincial practice)."""
        finished = finished_at.replace(second=0, microsecond=0)
        due = due_at.replace(second=0, microsecond=0)
        if finished < due:
            return cls.EARLY
        if finished == due:
            return cls.ON_TIME
        return cls.LATE


_LABELS = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}


@dataclass(frozen=True)
class Agency:
    """The issuing body, printed top-left: parent authority over the agency's own name.

    `locality` is the place name of the date line ("Tân Hòa, ngày ... tháng ... năm ...").
    """

    name: str
    parent_name: str = ""
    address: str = ""
    phone: str = ""
    locality: str = ""

    def __post_init__(self) -> None:
        _require_text(self, name=self.name)


@dataclass(frozen=True)
class Applicant:
    """The person or organisation the dossier belongs to (chủ hồ sơ).

    `salutation` precedes the name: "Ông/Bà" for a person, "Tổ chức" for an organisation.
    """

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    salutation: str = "Ông/Bà"

    def __post_init__(self) -> None:
        _require_text(self, name=self.name)


@dataclass(frozen=True)
class ComponentLine:
    """One document received: its name, original or copy ("Bản chính", "Bản sao"), how many."""

    name: str
    form_label: str = ""
    count: int = 1


@dataclass(frozen=True)
class ReceiptData:
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    agency: Agency
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    components: tuple[ComponentLine, ...]
    sets_count: int
    processing_time_text: str
    received_at: datetime
    appointment_at: datetime
    result_place: str
    register_book_no: str
    receiver_name: str
    lookup_url: str
    register_entry_no: str = ""

    def __post_init__(self) -> None:
        _require_text(self, dossier_code=self.dossier_code, lookup_url=self.lookup_url)
        _require_aware(self, received_at=self.received_at, appointment_at=self.appointment_at)
        if self.appointment_at < self.received_at:
            raise ValueError("ReceiptData.appointment_at is before received_at")


@dataclass(frozen=True)
class SupplementRequestData:
    """Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ; all items in one list ("một lần")."""

    agency: Agency
    paper_no: str
    issued_at: datetime
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    items: tuple[str, ...]
    reason: str
    officer_name: str
    officer_contact: str
    received_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self, issued_at=self.issued_at, received_at=self.received_at)
        _require_text(self, reason=self.reason)
        if not [i for i in self.items if i.strip()]:
            raise ValueError("SupplementRequestData.items must list what to complete")


@dataclass(frozen=True)
class RefusalData:
    """Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ; the reason must be specific."""

    agency: Agency
    paper_no: str
    issued_at: datetime
    applicant: Applicant
    procedure_name: str
    reason: str
    signer_name: str
    signer_title: str
    dossier_code: str = ""

    def __post_init__(self) -> None:
        _require_aware(self, issued_at=self.issued_at)
        _require_text(self, reason=self.reason)


@dataclass(frozen=True)
class ApologyData:
    """Mẫu 04: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết, with the new date."""

    agency: Agency
    paper_no: str
    issued_at: datetime
    applicant: Applicant
    dossier_code: str
    procedure_name: str
    received_at: datetime
    original_due_at: datetime
    reason: str
    new_due_at: datetime
    signer_name: str
    signer_title: str
    recipients: tuple[str, ...] = ("Như trên", "Bộ phận Một cửa", "Lưu: VT")

    def __post_init__(self) -> None:
        _require_aware(
            self,
            issued_at=self.issued_at,
            received_at=self.received_at,
            original_due_at=self.original_due_at,
            new_due_at=self.new_due_at,
        )
        _require_text(self, reason=self.reason)
        if self.new_due_at <= self.original_due_at:
            raise ValueError("ApologyData.new_due_at must be after original_due_at")


@dataclass(frozen=True)
class StopNoticeData:
    """Mẫu 05: Thông báo dừng giải quyết hồ sơ (new in TT 03/2025; layout inferred)."""

    agency: Agency
    paper_no: str
    issued_at: datetime
    applicant: Applicant
    dossier_code: str
    procedure_name: str
    received_at: datetime
    reason: str
    signer_name: str
    signer_title: str
    legal_basis: str = ""
    guidance: str = ""
    recipients: tuple[str, ...] = ("Như trên", "Lưu: VT")

    def __post_init__(self) -> None:
        _require_aware(self, issued_at=self.issued_at, received_at=self.received_at)
        _require_text(self, reason=self.reason)


@dataclass(frozen=True)
class Handover:
    """One hand-over of the dossier between steps; `result` is None while the step is open."""

    step_name: str
    handed_at: datetime
    giver: str
    receiver: str
    result: Timeliness | None = None
    note: str = ""
    finished_at: datetime | None = None
    due_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(
            self, handed_at=self.handed_at, finished_at=self.finished_at, due_at=self.due_at
        )

    @property
    def result_label(self) -> str:
        return self.result.label if self.result else ""


@dataclass(frozen=True)
class ControlSheetData:
    """Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ, one row per hand-over."""

    agency: Agency
    dossier_code: str
    applicant_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    handovers: tuple[Handover, ...]

    def __post_init__(self) -> None:
        _require_aware(self, received_at=self.received_at, due_at=self.due_at)


@dataclass(frozen=True)
class TrackingBookRow:
    """One line of Mẫu 07; `seq` (STT) is given by the book's order, not stored here."""

    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    appointment_at: datetime
    sets_count: int = 1
    address: str = ""
    phone: str = ""
    returned_at: datetime | None = None
    receiver_name: str = ""
    area: str = ""
    handover_giver: str = ""
    handover_receiver: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        _require_aware(
            self,
            received_at=self.received_at,
            appointment_at=self.appointment_at,
            returned_at=self.returned_at,
        )


@dataclass(frozen=True)
class TrackingBookData:
    """Mẫu 07: Sổ theo dõi hồ sơ for a period (both ends inclusive, local dates)."""

    agency: Agency
    period_start: date
    period_end: date
    rows: tuple[TrackingBookRow, ...] = field(default_factory=tuple)
    book_no: str = ""

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ValueError("TrackingBookData.period_end is before period_start")
