"""`load_demo` leaves two certified copies in the demo commune's book, made by the real verb for
the demo resident Lan, the second voided with a reason: the book and the verification page
have something to show. Idempotent; nothing on a real system."""

from django.urls import reverse

from motcua.demo import certified_copies
from motcua.documents.verification import verify_pdf


def test_the_demo_book_holds_a_valid_copy_and_a_voided_one(client, haiphong, settings):
    made = certified_copies.certify_demo_copies(unit=haiphong.commune)
    assert not made.missing, made.missing
    first, second = made.entries
    assert (first.number, second.number) == (1, 2)
    assert first.citizen_name == "Nguyễn Thị Lan" and first.certified_by == haiphong.leader
    assert not first.voided and second.voided and second.void_reason == certified_copies.VOID_REASON
    with first.document.file.open("rb") as fh:
        verdict = verify_pdf(fh.read())
    assert verdict.valid and len(verdict.signatures) == 2, verdict.problems
    page = client.get(reverse("documents:verify_code", args=[second.document.verification_code]))
    assert "Văn bản này đã bị hủy bỏ" in page.content.decode()
    assert "một bản đã hủy bỏ" in certified_copies.summary_line(made)

    again = certified_copies.certify_demo_copies(unit=haiphong.commune)
    assert again.skipped and [e.pk for e in again.entries] == [first.pk, second.pk]

    settings.SECURE = True
    assert certified_copies.certify_demo_copies(unit=haiphong.commune).refused
