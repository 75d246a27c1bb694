"""The queue statistics and their XLSX with a date at the ends of the calendar: 400 and the
Vietnamese reason, never a 500."""

import pytest
from django.urls import reverse

from .conftest import MODEL_BACKEND

PAGE = "/can-bo/hang-doi/thong-ke/"
OUT_OF_RANGE = "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."


@pytest.mark.parametrize("url", [PAGE, reverse("queue_statistics:export")])
@pytest.mark.parametrize(
    "query",
    [
        {"den_ngay": "9999-12-31"},
        {"tu_ngay": "9999-12-31", "den_ngay": "9999-12-31"},
        {"den_ngay": "0001-01-01"},
        {"tu_ngay": "0001-01-01", "den_ngay": "0001-01-10"},
    ],
)
def test_a_date_out_of_range_is_a_400_with_the_reason(client, officer, counters, url, query):
    client.force_login(officer, backend=MODEL_BACKEND)
    answer = client.get(url, query)
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    assert OUT_OF_RANGE in answer.content.decode()
