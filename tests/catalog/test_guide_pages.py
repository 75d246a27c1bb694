"""The how-to guide: big numbered steps a digital-tech team shows on a villager's phone."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from .factories_public import add_guide, make_procedure

pytestmark = pytest.mark.django_db


def guide_url(p) -> str:
    return reverse("catalog:procedure_guide", args=[p.pk])


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_published_guide_shows_numbered_steps_summary_and_video(client):
    p = make_procedure(name="Thủ tục đăng ký khai sinh")
    add_guide(
        p,
        ["Mở ứng dụng VNeID và đăng nhập.", "Chọn “Thủ tục hành chính”.", "Chụp Giấy chứng sinh."],
        summary="Cha hoặc mẹ tự làm trên điện thoại, khoảng 5 phút.",
        video_url="https://video.example.org/khai-sinh",
    )

    response = client.get(guide_url(p))
    text = text_of(response)

    assert response.status_code == 200
    assert "Thủ tục đăng ký khai sinh" in text
    assert "khoảng 5 phút" in text
    assert "Bước 1 Mở ứng dụng VNeID và đăng nhập." in text
    assert "Bước 2 Chọn “Thủ tục hành chính”." in text
    assert "Bước 3 Chụp Giấy chứng sinh." in text
    assert 'href="https://video.example.org/khai-sinh"' in response.content.decode()


def test_guide_steps_follow_their_order_not_their_creation(client):
    p = make_procedure()
    guide = add_guide(p, [])
    guide.steps.create(order=2, text="Nộp lệ phí.")
    guide.steps.create(order=1, text="Điền tờ khai.")

    text = text_of(client.get(guide_url(p)))

    assert text.index("Điền tờ khai.") < text.index("Nộp lệ phí.")


def test_missing_guide_is_a_friendly_not_found_pointing_to_the_procedure(client):
    p = make_procedure(name="Thủ tục chứng thực chữ ký")

    response = client.get(guide_url(p))

    assert response.status_code == 404
    assert "Chưa có hướng dẫn cho thủ tục này" in text_of(response)
    detail = reverse("catalog:procedure_detail", args=[p.pk])
    assert f'href="{detail}"' in response.content.decode()


def test_unpublished_guide_is_not_shown(client):
    p = make_procedure()
    add_guide(p, ["Bước bí mật đang soạn."], is_published=False)

    response = client.get(guide_url(p))

    assert response.status_code == 404
    assert "Bước bí mật" not in text_of(response)


def test_guide_of_a_draft_procedure_is_not_found_and_does_not_link_to_it(client):
    draft = make_procedure(name="Thủ tục nháp", is_published=False)
    add_guide(draft, ["Làm theo cách cũ."])

    response = client.get(guide_url(draft))

    assert response.status_code == 404
    assert "Làm theo cách cũ" not in text_of(response)
    detail = reverse("catalog:procedure_detail", args=[draft.pk])
    assert f'href="{detail}"' not in response.content.decode()


def test_guide_page_query_count_is_fixed(client, django_assert_max_num_queries, settings):
    p = make_procedure()
    add_guide(p, [f"Bước {i}" for i in range(12)])

    settings.MOTCUA_PAGE_CACHE = False  # the page's own queries, not the cache's
    with django_assert_max_num_queries(3):
        assert client.get(guide_url(p)).status_code == 200


def test_guide_step_shows_its_picture_with_a_description(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = make_procedure()
    guide = add_guide(p, [])
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, format="PNG")
    guide.steps.create(
        order=1,
        text="Mở ứng dụng VNeID.",
        image=SimpleUploadedFile("vneid.png", png.getvalue(), content_type="image/png"),
    )

    html = client.get(guide_url(p)).content.decode()

    assert re.search(r'<img src="/media/guides/vneid[^"]*\.png" alt="Hình minh họa bước 1"', html)
