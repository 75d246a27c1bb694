"""A NUL byte in a URL (`%00`) is answered 400 with the Vietnamese page before any view reads
it: PostgreSQL refuses NUL in every text comparison, so each page that looks up a code, a
token or a search used to answer 500 there."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/thu-tuc/?q=%00",
        "/thu-tuc/?q=khai%00sinh",
        "/api/v1/procedures/?search=%00",
        "/api/v1/procedures/?field=%00&unit=18073",
        "/hang-doi/kiosk/%00/",
        "/danh-gia/ve/abc%00def/",
        "/xac-thuc/?ma=%00",
        "/tra-cuu/?ma=%00",
        "/thu-tuc/?%00=1",
    ],
)
def test_a_nul_byte_anywhere_in_the_url_is_a_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_the_same_pages_without_it_answer_as_usual(client):
    assert client.get("/thu-tuc/?q=khai sinh").status_code == 200
    assert client.get("/api/v1/procedures/?search=khai").status_code == 200
    assert client.get("/hang-doi/kiosk/khong-co/").status_code == 404
