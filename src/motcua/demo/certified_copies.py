"""Two demo electronic certified copies, so the certification book (/can-bo/chung-thuc/) and the
public verification page have something to show after `make run`.

Made by the real verb (`certification.services.certify_copy`, signed by the demo leader's own
development certificate then the unit's seal, numbered in the unit's book, fee from the
catalog) for the demo resident Nguyễn Thị Lan, so her "Giấy tờ của tôi" lists them; the second
is then voided with a reason (`void_copy`), so the book shows a voided number and its
verification page says why. The originals are illustrative pages, said so on the page. Only
when demo logins are allowed (never on a real system); idempotent: a unit whose book already
has entries is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation

from motcua.accounts.models import Role, StaffAssignment
from motcua.certification import services as certification
from motcua.certification.models import CertifiedCopy
from motcua.core.models import Unit
from motcua.documents.uploads import Upload
from motcua.dossiers.papers import render as papers

from .residents import FIXED
from .services import demo_logins_allowed

RESIDENT = "lan"
ORIGINALS = (
    ("Bằng tốt nghiệp trung học phổ thông", "BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG"),
    ("Giấy khai sinh", "GIẤY KHAI SINH"),
)
VOID_REASON = "Minh họa: người yêu cầu xin chứng thực lại vì bản chính ghi sai ngày sinh"


@dataclass
class DemoCopies:
    unit: Unit
    entries: list[CertifiedCopy] = field(default_factory=list)
    skipped: bool = False
    refused: bool = False
    missing: str = ""  # why none could be made (no leader, no procedure)


def _resident() -> dict:
    data = json.loads(FIXED.read_text(encoding="utf-8"))
    return next(m for h in data["households"] for m in h["members"] if m["key"] == RESIDENT)


def original_pdf(heading: str, holder: str) -> bytes:
    """One illustrative original as a scanner would hold it (said so on the page)."""
    with translation.override("vi"):
        html = render_to_string("demo/original.html", {"heading": heading, "holder": holder})
    return papers.html_to_pdf(html)


def certify_demo_copies(*, unit: Unit) -> DemoCopies:
    out = DemoCopies(unit=unit)
    if not demo_logins_allowed():
        out.refused = True
        return out
    existing = list(CertifiedCopy._default_manager.filter(unit=unit).order_by("number"))
    if existing:
        out.entries, out.skipped = existing, True
        return out
    leader = (
        StaffAssignment.objects.filter(unit=unit, role=Role.LEADER, is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if leader is None:
        out.missing = "chưa có lãnh đạo ký chứng thực"
        return out
    person = _resident()
    for title, heading in ORIGINALS:
        try:
            entry = certification.certify_copy(
                leader.user,
                unit_id=unit.pk,
                citizen_id=person["citizen_id"],
                citizen_name=person["full_name"],
                title=title,
                pages=1,
                files=[Upload("ban-chinh.pdf", original_pdf(heading, person["full_name"]))],
            )
        except certification.ValidationError as exc:  # e.g. the procedure is not in the catalog
            out.missing = " ".join(exc.messages)
            return out
        out.entries.append(entry)
    certification.void_copy(leader.user, entry_id=out.entries[-1].pk, reason=VOID_REASON)
    out.entries[-1].refresh_from_db()
    return out


def summary_line(result: DemoCopies) -> str:
    name = result.unit.name
    if result.refused:
        return f"Bản sao chứng thực mẫu {name}: không tạo khi DJANGO_SECURE=1."
    if result.missing:
        return f"Bản sao chứng thực mẫu {name}: không tạo được ({result.missing})."
    if result.skipped:
        return f"Bản sao chứng thực mẫu {name}: sổ đã có {len(result.entries)} bản, giữ nguyên."
    codes = ", ".join(e.document.verification_code for e in result.entries)
    return (
        f"Bản sao chứng thực mẫu {name}: {len(result.entries)} bản trong sổ chứng thực "
        f"(một bản đã hủy bỏ để minh họa), mã xác thực {codes}."
    )
