"""The pages: the public form (attachments judged by content, the challenge), following by code
and rating once, the public list; the staff list (filters, overdue, per-department counts,
pagination) and the petition page, where a move the page does not offer is refused and another
unit's petition does not exist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.petitions import challenge, services
from motcua.petitions.models import Attachment, Petition
from tests.filing.factories import jpeg
from tests.pdfs import encrypted_pdf, tiny_pdf

from .conftest import at, submit

pytestmark = pytest.mark.django_db

S = Petition.Status


def _form(w, **kw) -> dict:
    token = challenge.issue()
    return {
        "category": str(w.roads.pk),
        "subject": "Ổ gà lớn trên đường trục thôn Đông",
        "content": "Đoạn đường trước nhà văn hóa có ổ gà sâu, xe máy ngã nhiều lần trong tuần.",
        "village": str(w.village.pk),
        "name": "Nguyễn Văn An",
        "phone": "0912345678",
        "challenge": token,
        "nonce": challenge.solve(token),
        **kw,
    }


def _post(client, w, files=(), **kw):
    data = _form(w, **kw)
    if files:
        data["files"] = list(files)
    return client.post(reverse("petitions:new", args=[w.commune.code]), data)


def test_the_public_form_takes_a_petition_with_a_photo_and_gives_the_code(world):
    client = Client()
    page = client.get(reverse("petitions:new", args=[world.commune.code]))
    assert page.status_code == 200
    assert "Giao thông, đường sá" in page.text and 'data-pow="1"' in page.text
    photo = SimpleUploadedFile("o-ga.jpg", jpeg(800, 600), content_type="image/jpeg")
    answer = _post(client, world, files=[photo])
    assert answer.status_code == 302
    p = Petition.objects.get()
    assert answer["Location"] == reverse("petitions:follow", args=[p.code]) + "?moi=1"
    kept = Attachment.objects.get(petition=p)
    assert kept.file.read().startswith(b"%PDF-")
    follow = client.get(answer["Location"])
    assert p.code in follow.text and "Đã tiếp nhận" in follow.text


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("anh.jpg", b"day khong phai anh, chi la chu" * 10, "image/jpeg")], "không phải ảnh"),
        ([("a.pdf", b"%PDF-1.4 hong", "application/pdf")], "a.pdf"),
        ([("a.pdf", None, "application/pdf")], "mật khẩu"),
        ([("lon.jpg", b"\xff" * (2 * 1024 * 1024 + 10), "image/jpeg")], "lớn hơn 2 MB"),
        ([(f"{i}.jpg", "jpeg", "image/jpeg") for i in range(4)], "tối đa 3 tệp"),
    ],
)
def test_mislabelled_oversized_or_too_many_files_are_refused(world, settings, files, message):
    settings.MOTCUA_PETITION_MAX_BYTES = 2 * 1024 * 1024
    uploads = []
    for name, data, kind in files:
        if data is None:
            data = encrypted_pdf(tiny_pdf(), owner_password="o", user_password="u")
        elif data == "jpeg":
            data = jpeg(40, 40)
        uploads.append(SimpleUploadedFile(name, data, content_type=kind))
    answer = _post(Client(), world, files=uploads)
    assert answer.status_code == 400
    assert message in answer.text
    assert not Petition.objects.exists()


def test_without_the_solved_challenge_an_anonymous_visitor_is_refused(world):
    answer = _post(Client(), world, nonce="", anonymous="1")
    assert answer.status_code == 400
    assert "chống gửi tự động" in answer.text
    forged = _post(Client(), world, challenge="abc:def", nonce="1")
    assert forged.status_code == 400 and "không hợp lệ" in forged.text
    assert not Petition.objects.exists()


def test_a_flood_from_one_address_gets_the_budget_then_429(world, settings):
    settings.MOTCUA_PETITION_IP_LIMIT = 3
    client = Client()
    codes = [_post(client, world).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Petition.objects.count() == 3
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert _post(other, world).status_code == 302


def _published(w, text="Đã vá ổ gà trước nhà văn hóa thôn Đông ngày 20/11/2026.", **kw):
    p = submit(w, **kw)
    services.assign(p.pk, actor=w.manager, handler=w.handler)
    services.answer(p.pk, actor=w.handler, text=text + " Cảm ơn ông Nguyễn Văn An (0912345678).")
    return services.publish(p.pk, actor=w.leader)


def test_following_by_code_shows_the_published_answer_and_rates_once(world):
    p = _published(world)
    client = Client()
    page = client.get(reverse("petitions:follow", args=[p.code.lower().replace("-", " ")]))
    assert page.status_code == 200
    assert "Đã vá ổ gà" in page.text and "0912345678" not in page.text
    assert "Nguyễn Văn An" not in page.text
    url = reverse("petitions:follow", args=[p.code])
    assert client.post(url, {"rating": "satisfied"}).status_code == 302
    again = client.post(url, {"rating": "not_satisfied"})
    assert again.status_code == 400 and "đã đánh giá" in again.text
    p.refresh_from_db()
    assert p.rating == "satisfied"
    assert client.get(reverse("petitions:follow", args=["PA-ZZZZ-ZZZZ"])).status_code == 404
    assert client.get(reverse("petitions:follow", args=["%00"])).status_code in (400, 404)
    lookup = client.get(reverse("petitions:lookup"), {"ma": "khong dung"})
    assert lookup.status_code == 200 and "8 chữ và số" in lookup.text
    assert client.get(reverse("petitions:lookup"), {"ma": p.code}).status_code == 302


def test_rating_before_publication_is_refused_on_the_page(world):
    p = submit(world)
    answer = Client().post(reverse("petitions:follow", args=[p.code]), {"rating": "satisfied"})
    assert answer.status_code == 400
    p.refresh_from_db()
    assert p.rating == ""


def test_lookups_by_code_are_rate_limited(world, settings):
    settings.MOTCUA_PETITION_FOLLOW_LIMIT = 3
    client = Client()
    codes = [
        client.get(reverse("petitions:follow", args=[f"PA-AAAA-AAA{c}"])).status_code
        for c in "ABCDE"
    ]
    assert codes == [404, 404, 404, 429, 429]


def test_the_public_list_shows_published_answers_newest_first_paginated(world):
    client = Client()
    empty = client.get(reverse("petitions:published"))
    assert "Chưa có trả lời nào được công khai" in empty.text
    for day in range(2, 24):
        _published(world, when=at(2026, 11, day))
    first = client.get(reverse("petitions:published"))
    assert first.text.count('data-testid="published-') == 20
    assert "Nguyễn Văn An" not in first.text and "0912345678" not in first.text
    second = client.get(reverse("petitions:published"), {"page": "2"})
    assert second.text.count('data-testid="published-') == 2
    assert (
        client.get(reverse("petitions:published"), {"don-vi": "x", "page": "z"}).status_code == 200
    )


def _staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_managers_see_overdue_petitions_newest_first_and_leaders_per_department(world):
    late = submit(world, when=at(2026, 10, 1), subject="Phản ánh cũ đã quá hạn")
    newer_late = submit(world, when=at(2026, 10, 5), subject="Phản ánh quá hạn mới hơn")
    submit(world, when=dt.datetime.now(dt.UTC), subject="Phản ánh còn trong hạn")
    client = _staff(world.manager)
    page = client.get(reverse("petitions:staff_list"), {"qua-han": "1"})
    assert page.status_code == 200
    assert page.text.index(newer_late.code) < page.text.index(late.code)
    assert "Phản ánh còn trong hạn" not in page.text
    assert 'data-testid="department-counts"' in page.text
    counts = page.context["counts"]
    assert [(r["department__name"], r["total"], r["overdue"]) for r in counts] == [
        ("Phòng Kinh tế", 3, 2)
    ]
    filtered = client.get(reverse("petitions:staff_list"), {"phong": str(world.culture.pk)})
    assert "Chưa có phản ánh nào" in filtered.text
    handler_page = _staff(world.handler).get(reverse("petitions:staff_list"))
    assert handler_page.status_code == 200 and handler_page.context["counts"] is None
    assert (
        _staff(world.other_manager)
        .get(reverse("petitions:staff_list"))
        .context["page"]
        .paginator.count
        == 0
    )
    bad = client.get(reverse("petitions:staff_list"), {"trang-thai": "x", "phong": "9" * 30})
    assert bad.status_code == 200


def test_the_staff_list_is_paginated(world):
    for i in range(23):
        submit(world, when=at(2026, 11, 2) + dt.timedelta(hours=i))
    client = _staff(world.manager)
    first = client.get(reverse("petitions:staff_list"))
    assert first.text.count('data-testid="row-') == 20
    assert (
        client.get(reverse("petitions:staff_list"), {"page": "2"}).text.count('data-testid="row-')
        == 3
    )


def test_the_petition_page_offers_only_what_the_user_may_do_and_refuses_the_rest(world):
    p = submit(world)
    detail = reverse("petitions:staff_detail", args=[p.pk])
    act = lambda a: reverse("petitions:staff_act", args=[p.pk, a])  # noqa: E731
    manager = _staff(world.manager)
    page = manager.get(detail)
    assert (
        'data-testid="assign-form"' in page.text and 'data-testid="publish-form"' not in page.text
    )
    handler = _staff(world.handler)
    assert 'data-testid="close-form"' not in handler.get(detail).text
    # POSTs the page does not offer
    refused = handler.post(act("close"), {"reason": "không thuộc thẩm quyền"})
    assert refused.status_code == 403
    culture = _staff(world.culture_handler)
    assert culture.post(act("assign"), {"handler": world.culture_handler.pk}).status_code == 403
    assert manager.post(act("publish"), {}).status_code == 409
    assert manager.post(act("fly"), {}).status_code == 404
    # another unit's petition is not found, on every page and move
    other = _staff(world.other_manager)
    assert other.get(detail).status_code == 404
    assert other.post(act("assign"), {"handler": world.handler.pk}).status_code == 404
    p.refresh_from_db()
    assert p.status == S.RECEIVED and p.events.count() == 1
    # the offered path works through the pages
    assert (
        manager.post(act("assign"), {"handler": world.handler.pk, "version": "0"}).status_code
        == 302
    )
    text = "Đã vá ổ gà ngày 20/11/2026; ông Nguyễn Văn An đã xác nhận."
    assert handler.post(act("answer"), {"text": text, "version": "1"}).status_code == 302
    assert manager.post(act("publish"), {"version": "2"}).status_code == 302
    p.refresh_from_db()
    assert p.status == S.PUBLISHED and "Nguyễn Văn An" not in p.published_answer
    stale = manager.post(act("close"), {"reason": "đóng lại", "version": "0"})
    assert stale.status_code == 409


def test_attachments_are_served_to_the_units_staff_only(world):
    photo = SimpleUploadedFile("o-ga.jpg", jpeg(300, 200), content_type="image/jpeg")
    _post(Client(), world, files=[photo])
    item = Attachment.objects.get()
    url = reverse("petitions:attachment", args=[item.pk])
    answer = _staff(world.handler).get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert _staff(world.other_manager).get(url).status_code == 404
    assert Client().get(url).status_code == 302
