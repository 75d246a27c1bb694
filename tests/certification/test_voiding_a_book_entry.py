"""Hủy bỏ một bản sao đã chứng thực: the leader voids a book entry with a reason; its number
stays in the book marked void (never deleted, never reused), the public verification page of
the copy says it was voided and why, and it is audited. Refused: other roles, other units,
no reason, twice."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from motcua.certification import services
from motcua.certification.models import CertifiedCopy
from motcua.core.models import AuditEvent
from motcua.documents.uploads import Upload
from tests.citizens.myspace import BACKEND, citizen

from .conftest import AT

REASON = "Ghi sai tên giấy tờ: bản chính là Bằng tốt nghiệp THCS"


def certify(place, original_pdf, **kw):
    return services.certify_copy(
        place.leader,
        unit_id=place.commune.pk,
        citizen_id="031190012345",
        citizen_name="Nguyễn Thị Lan",
        title=kw.pop("title", "Bằng tốt nghiệp THPT"),
        pages=2,
        files=[Upload("bang.pdf", original_pdf)],
        at=kw.pop("at", AT),
    )


def test_the_leader_voids_an_entry_its_number_stays_and_the_public_page_says_why(
    client, hatinh, original_pdf
):
    entry = certify(hatinh, original_pdf)
    later = AT + dt.timedelta(hours=1)
    services.void_copy(hatinh.leader, entry_id=entry.pk, reason=f"  {REASON} ", at=later)
    entry.refresh_from_db()
    assert (entry.voided_at, entry.voided_by, entry.void_reason) == (later, hatinh.leader, REASON)
    event = AuditEvent.objects.get(action="certification.copy_voided")
    assert event.changes == {"number": 1, "book": entry.book, "reason": REASON}
    assert event.actor_id == hatinh.leader.pk and event.unit_id == hatinh.commune.pk
    # the next certification takes the next number: the voided one is never reused
    assert certify(hatinh, original_pdf, title="Giấy khai sinh").number == 2
    assert CertifiedCopy.objects.filter(unit=hatinh.commune).count() == 2

    page = client.get(reverse("documents:verify_code", args=[entry.document.verification_code]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="revoked"' in html
    assert "Văn bản này đã bị hủy bỏ" in html and REASON in html
    # the same file uploaded for verification: told it was voided too
    with entry.document.file.open("rb") as fh:
        upload = client.post(reverse("documents:verify"), {"file": fh})
    assert "Văn bản này đã bị hủy bỏ" in upload.content.decode()

    lan = citizen("031190012345", "Nguyễn Thị Lan")  # her papers say it is void, and why
    client.force_login(lan, backend=BACKEND)
    papers = client.get("/cong-dan/giay-to/").content.decode()
    assert 'data-testid="voided"' in papers and REASON in papers

    client.force_login(hatinh.officer)  # the counter officer reads the book: marked void
    book = client.get(reverse("certification:book")).content.decode()
    assert 'data-testid="book-voided"' in book and REASON in book
    assert 'data-testid="book-void"' not in book  # and is offered no voiding


def test_voiding_is_refused_to_other_roles_other_units_without_a_reason_and_twice(
    client, hatinh, haiphong, original_pdf
):
    entry = certify(hatinh, original_pdf)
    for outsider in (hatinh.officer, haiphong.leader):
        with pytest.raises(PermissionDenied):
            services.void_copy(outsider, entry_id=entry.pk, reason=REASON)
    with pytest.raises(ValidationError):
        services.void_copy(hatinh.leader, entry_id=entry.pk, reason="   ")
    entry.refresh_from_db()
    assert not entry.voided and not entry.document.revoked_at

    url = reverse("certification:void", args=[entry.pk])
    client.force_login(hatinh.officer)  # reads the book, may not void: 403
    assert client.post(url, {"reason": REASON}).status_code == 403
    client.force_login(haiphong.leader)  # another unit's book: not found
    assert client.post(url, {"reason": REASON}).status_code == 404
    client.force_login(hatinh.leader)
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and "Phải ghi rõ lý do hủy bỏ" in empty.content.decode()
    assert client.get(url).status_code == 405
    done = client.post(url, {"reason": REASON})
    assert done.status_code == 302
    again = client.post(url, {"reason": "lần nữa"}, follow=True)
    assert "đã được hủy bỏ trước đó" in again.content.decode()
    entry.refresh_from_db()
    assert entry.void_reason == REASON
    assert AuditEvent.objects.filter(action="certification.copy_voided").count() == 1
    with pytest.raises(services.AlreadyVoided):
        services.void_copy(hatinh.leader, entry_id=entry.pk, reason=REASON)
