"""Builders for "Hồ sơ của tôi" tests: citizens signed in as the identity service makes them,
and dossiers of theirs brought to a status through the dossiers' services."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from weasyprint import HTML

from motcua.citizens import services as citizen_services
from motcua.citizens.claims import Claims
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, Status
from tests.dossiers import factories
from tests.dossiers.factories import World

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LAN_ID = "031190012345"
HUNG_ID = "031085067890"
BACKEND = "django.contrib.auth.backends.ModelBackend"
RESULT_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>
<body style="font-family: 'DejaVu Sans'"><h1>GIẤY KHAI SINH</h1>
<p>Họ và tên: Nguyễn Văn Bình, sinh ngày 02/11/2026.</p></body></html>"""


def citizen(citizen_id: str = LAN_ID, name: str = "Nguyễn Thị Lan", subject: str = ""):
    return citizen_services.sign_in(
        issuer="https://id.example",
        claims=Claims(
            subject=subject or f"sub-{citizen_id}",
            citizen_id=citizen_id,
            full_name=name,
            date_of_birth=dt.date(1990, 3, 14),
            sex="female",
            address="Thôn Đông, xã An Hưng, thành phố Hải Phòng",
            identity_level=2,
        ),
    )


def drive(world: World, status: int, citizen_id: str = LAN_ID, when=None) -> Dossier:
    """`factories.drive_to` for the applicant with this citizen ID."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(factories, "CITIZEN_ID", citizen_id)
        return factories.drive_to(world, status, when)


def result_pdf() -> bytes:
    return HTML(string=RESULT_HTML).write_pdf()


def returned_with_signed_result(world: World, citizen_id: str = LAN_ID) -> Dossier:
    """Received, processed, the draft result signed for real by the leader, ready, returned."""
    d = drive(world, Status.AWAITING_APPROVAL, citizen_id)
    services.attach_draft_result(world.specialist, dossier_id=d.pk, pdf_bytes=result_pdf())
    d.refresh_from_db()
    services.approve_and_sign(
        world.leader, dossier_id=d.pk, confirmed=True, expected_version=d.version
    )
    services.mark_result_ready(world.specialist, dossier_id=d.pk)
    return services.return_result(world.officer, dossier_id=d.pk, delivery="counter")


def photo(name: str = "giay.jpg", size=(1200, 1600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 236, 220)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()
