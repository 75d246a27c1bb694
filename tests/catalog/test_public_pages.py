"""The public catalog pages a villager opens on a phone: list, search, detail, QR."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from motcua.catalog.models import Component, Fee, Procedure
from motcua.catalog.templatetags.catalog_public import summarize_fees
from motcua.catalog.views import qr_svg

from .factories_public import (
    add_component,
    add_fee,
    add_form,
    add_guide,
    add_step,
    make_field,
    make_procedure,
    make_unit,
)

pytestmark = pytest.mark.django_db
LIST_URL = reverse("catalog:procedure_list")


def page_text(response) -> str:
    """Visible text, whitespace collapsed, so assertions read like what a user sees."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def detail_url(p: Procedure) -> str:
    return reverse("catalog:procedure_detail", args=[p.pk])


# --- list -------------------------------------------------------------------------------


def test_list_shows_published_procedures_and_hides_drafts(client):
    make_procedure(name="Thủ tục đăng ký khai sinh")
    make_procedure(name="Thủ tục dự thảo chưa công bố", is_published=False)

    text = page_text(client.get(LIST_URL))

    assert "Thủ tục đăng ký khai sinh" in text
    assert "dự thảo" not in text
    assert "Có 1 thủ tục" in text


def test_search_without_diacritics_finds_the_vietnamese_name(client):
    make_procedure(name="Thủ tục đăng ký kết hôn")
    make_procedure(name="Thủ tục đăng ký khai tử")

    text = page_text(client.get(LIST_URL, {"q": "dang ky ket hon"}))

    assert "Thủ tục đăng ký kết hôn" in text
    assert "khai tử" not in text
    assert "Có 1 thủ tục phù hợp với “dang ky ket hon”" in text


def test_search_by_national_code(client):
    make_procedure(name="Thủ tục đăng ký khai sinh", code="1.001193")
    make_procedure(name="Thủ tục chứng thực chữ ký", code="2.000815")

    text = page_text(client.get(LIST_URL, {"q": "1.001193"}))

    assert "khai sinh" in text and "chứng thực" not in text


def test_field_chips_show_counts_and_filter_the_list(client):
    civil = make_field("Hộ tịch", "ho-tich")
    make_field("Chứng thực", "chung-thuc")
    make_procedure(name="Đăng ký khai sinh", field=civil)
    make_procedure(name="Đăng ký kết hôn", field=civil)
    make_procedure(name="Chứng thực bản sao", field="Chứng thực")

    full = page_text(client.get(LIST_URL))
    assert "Hộ tịch 2" in full and "Chứng thực 1" in full

    filtered = client.get(LIST_URL, {"field": "ho-tich"})
    text = page_text(filtered)
    assert "Có 2 thủ tục" in text
    assert "Chứng thực bản sao" not in text
    # the chips still offer the other field, and the selected one is marked
    assert 'href="?field=chung-thuc"' in filtered.content.decode()
    assert re.search(r'href="\?field=ho-tich" aria-current="true"', filtered.content.decode())


def test_field_chips_count_within_the_current_search(client):
    make_procedure(name="Đăng ký khai sinh", field="Hộ tịch")
    make_procedure(name="Đăng ký kết hôn", field="Hộ tịch")
    make_procedure(name="Đăng ký hộ kinh doanh", field="Đăng ký hộ kinh doanh")

    response = client.get(LIST_URL, {"q": "ket hon"})

    assert "Hộ tịch 1" in page_text(response)
    assert "?q=ket+hon&amp;field=" in response.content.decode()


def test_online_filter_keeps_only_fully_online_procedures(client):
    make_procedure(name="Đăng ký khai sinh", online_mode=Procedure.OnlineMode.FULL)
    make_procedure(name="Đăng ký nhận cha mẹ con", online_mode=Procedure.OnlineMode.PARTIAL)
    make_procedure(name="Giải quyết tố cáo", online_mode=Procedure.OnlineMode.NONE)

    text = page_text(client.get(LIST_URL, {"online": "full"}))

    assert "Đăng ký khai sinh" in text
    assert "nhận cha mẹ con" not in text and "tố cáo" not in text
    assert "Nộp trực tuyến toàn trình" in text


def test_unknown_online_value_is_ignored_not_an_error(client):
    make_procedure(name="Đăng ký khai sinh")

    response = client.get(LIST_URL, {"online": "<b>x</b>"})

    assert response.status_code == 200
    assert "Đăng ký khai sinh" in page_text(response)


def test_unit_name_shown_and_filterable_when_several_units_publish(client):
    phu_thanh = make_unit(name="Xã Phú Thành", code="30001")
    an_lao = make_unit(name="Xã An Lão", code="30002")
    make_procedure(name="Đăng ký khai sinh", unit=phu_thanh)
    make_procedure(name="Đăng ký kết hôn", unit=an_lao)

    text = page_text(client.get(LIST_URL))
    assert "Đơn vị công bố" in text
    assert "Xã Phú Thành" in text and "Xã An Lão" in text

    only_an_lao = client.get(LIST_URL, {"unit": "30002"})
    html = only_an_lao.content.decode()
    assert "Đăng ký kết hôn" in html and "Đăng ký khai sinh" not in html
    assert '<option value="30002" selected>' in html


def test_single_unit_catalog_has_no_unit_filter(client):
    make_procedure(name="Đăng ký khai sinh")

    assert "Đơn vị công bố" not in page_text(client.get(LIST_URL))


def test_pagination_shows_twenty_and_keeps_the_search(client):
    for i in range(25):
        make_procedure(name=f"Chứng thực bản sao số {i:02d}", field="Chứng thực")
    make_procedure(name="Đăng ký khai sinh")

    first = client.get(LIST_URL, {"q": "chung thuc"})
    html = first.content.decode()
    assert html.count('class="proc-card"') == 20
    assert "Có 25 thủ tục" in page_text(first)
    assert 'href="?q=chung+thuc&amp;page=2"' in html

    second = client.get(LIST_URL, {"q": "chung thuc", "page": 2})
    assert second.content.decode().count('class="proc-card"') == 5
    assert 'href="?q=chung+thuc&amp;page=1"' in second.content.decode()
    assert "khai sinh" not in page_text(second)


@pytest.mark.parametrize("page", ["abc", "999", "-1"])
def test_a_bad_page_number_still_shows_results(client, page):
    make_procedure(name="Đăng ký khai sinh")

    response = client.get(LIST_URL, {"page": page})

    assert response.status_code == 200
    assert "Đăng ký khai sinh" in page_text(response)


def test_empty_search_explains_and_offers_to_clear_filters(client):
    make_procedure(name="Đăng ký khai sinh")

    response = client.get(LIST_URL, {"q": "cap phep xay dung"})
    text = page_text(response)

    assert "Không tìm thấy thủ tục nào phù hợp." in text
    assert "Xóa bộ lọc, xem tất cả thủ tục" in text
    assert f'href="{LIST_URL}"' in response.content.decode()


def test_empty_catalog_says_nothing_is_published_yet(client):
    make_procedure(name="Bản nháp", is_published=False)

    assert "Chưa có thủ tục nào được công khai" in page_text(client.get(LIST_URL))


def test_search_text_is_escaped(client):
    response = client.get(LIST_URL, {"q": '<script>alert("x")</script>'})

    assert response.status_code == 200
    assert '<script>alert("x")' not in response.content.decode()


def test_list_cards_say_time_fee_and_online_mode_in_plain_words(client):
    same_day = make_procedure(
        name="Chứng thực chữ ký",
        processing_days=Decimal("0"),
        online_mode=Procedure.OnlineMode.FULL,
    )
    add_fee(same_day, 10000)
    set_locally = make_procedure(name="Đăng ký khai sinh muộn", processing_days=Decimal("2.5"))
    add_fee(set_locally, None)
    make_procedure(
        name="Xác nhận tình trạng hôn nhân",
        processing_days=None,
        processing_time_note="Theo thông báo của cơ quan",
        time_unit=Procedure.TimeUnit.CALENDAR_DAY,
    )
    make_procedure(
        name="Đăng ký kết hôn",
        processing_days=Decimal("5"),
        online_mode=Procedure.OnlineMode.NONE,
    )
    make_procedure(name="Thủ tục chưa rõ hình thức", processing_days=Decimal("3"))

    text = page_text(client.get(LIST_URL))

    assert "Thời hạn Trong ngày Phí, lệ phí 10.000 đ Nộp trực tuyến toàn trình" in text
    assert "2,5 ngày làm việc" in text
    assert "Theo quy định của HĐND tỉnh" in text
    assert "Theo thông báo của cơ quan" in text
    assert "5 ngày làm việc Phí, lệ phí Chưa công bố phí, lệ phí Nộp trực tiếp" in text
    # no source says how it is filed: the card says so instead of guessing "in person"
    assert "3 ngày làm việc Phí, lệ phí Chưa công bố phí, lệ phí Chưa công bố hình thức nộp" in text


def test_list_page_queries_do_not_grow_with_the_number_of_procedures(
    client, django_assert_max_num_queries, settings
):
    for unit_code in ("31001", "31002"):
        unit = make_unit(code=unit_code)
        for i in range(15):
            p = make_procedure(
                name=f"Thủ tục {unit_code} {i}", unit=unit, field=f"Lĩnh vực {i % 4}"
            )
            add_fee(p, 8000)
            add_fee(p, None)

    settings.MOTCUA_PAGE_CACHE = False  # the page's own queries, not the cache's
    with django_assert_max_num_queries(6):
        response = client.get(LIST_URL)

    assert response.content.decode().count('class="proc-card"') == 20


def test_pages_have_no_inline_script_or_style_for_the_csp(client):
    p = make_procedure(name="Đăng ký khai sinh")
    add_fee(p, 8000)
    add_guide(p, ["Mở ứng dụng VNeID."])

    for url in (LIST_URL, detail_url(p), reverse("catalog:procedure_guide", args=[p.pk])):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and "<style" not in html, url


def test_the_list_only_answers_reads(client):
    assert client.post(LIST_URL, {"q": "x"}).status_code == 405


# --- fee summary rules -------------------------------------------------------------------


def _fee(amount, **kw):
    return Fee(amount_vnd=amount, **kw)


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ([], "Chưa công bố phí, lệ phí"),
        ([0], "Miễn phí"),
        ([50000], "50.000 đ"),
        ([None], "Theo quy định của HĐND tỉnh"),
        ([0, 8000, 0], "Từ 0 đ đến 8.000 đ"),
        ([8000, None], "8.000 đ; trường hợp khác theo quy định của HĐND tỉnh"),
        ([1500000], "1.500.000 đ"),
    ],
)
def test_fee_summary_wording(amounts, expected):
    summary = summarize_fees([_fee(a) for a in amounts], datetime.date(2026, 9, 1))
    assert summary.replace("\u00a0", " ") == expected  # amounts keep "đ" on their line


def test_fee_summary_uses_only_fees_in_force_today():
    today = datetime.date(2026, 9, 1)
    fees = [
        _fee(8000, valid_to=datetime.date(2026, 8, 7)),  # replaced by the online exemption
        _fee(0, valid_from=datetime.date(2026, 8, 8)),
        _fee(20000, valid_from=datetime.date(2027, 1, 1)),  # not yet
    ]

    assert summarize_fees(fees, today) == "Miễn phí"


# --- detail -----------------------------------------------------------------------------


@pytest.fixture
def marriage():
    p = make_procedure(
        name="Thủ tục đăng ký kết hôn",
        code="1.000894",
        field="Hộ tịch",
        processing_days=Decimal("5"),
        online_processing_days=Decimal("3"),
        processing_time_note="Trường hợp cần xác minh thì kéo dài thêm 5 ngày làm việc.",
        online_mode=Procedure.OnlineMode.PARTIAL,
        online_mode_reason="Hai bên nam, nữ phải có mặt khi trao Giấy chứng nhận kết hôn.",
        competent_agency="UBND cấp xã",
        result_type="Giấy chứng nhận kết hôn",
        legal_basis="Luật Hộ tịch 2014\nNghị định 123/2015/NĐ-CP\n",
    )
    add_fee(
        p,
        8000,
        kind=Fee.Kind.CHARGE,
        channel=Fee.Channel.IN_PERSON,
        condition="Nộp trực tiếp tại UBND xã",
        legal_basis="NQ 12/2018/NQ-HĐND",
    )
    add_fee(
        p,
        0,
        channel=Fee.Channel.ONLINE,
        valid_from=datetime.date(2026, 8, 8),
        legal_basis="NQ 23/2026/NQ-HĐND",
    )
    add_fee(p, None, kind=Fee.Kind.FEE, condition="Cấp bản sao trích lục")
    add_component(p, "Tờ khai đăng ký kết hôn", form=Component.Form.ORIGINAL, count=1)
    add_component(
        p,
        "Giấy xác nhận tình trạng hôn nhân",
        form=Component.Form.ORIGINAL,
        from_warehouse=True,
    )
    add_component(p, "Thẻ căn cước", form=Component.Form.PRESENT, from_state_data=True)
    add_step(p, "Tiếp nhận hồ sơ", "0.5", department_kind="service_centre")
    add_step(p, "Thẩm định, trình ký", "2")
    add_form(p, "Tờ khai đăng ký kết hôn (mẫu TT 04/2024)")
    return p


def test_detail_shows_what_a_citizen_needs_in_plain_order(client, marriage):
    text = page_text(client.get(detail_url(marriage)))

    assert "Thủ tục đăng ký kết hôn" in text and "Mã 1.000894" in text
    assert "Nộp trực tiếp: 5 ngày làm việc Nộp trực tuyến: 3 ngày làm việc" in text
    assert "kéo dài thêm 5 ngày làm việc" in text
    assert "Một phần Lý do: Hai bên nam, nữ phải có mặt" in text
    assert "Cấp xã" in text and "UBND cấp xã" in text
    assert "Giấy chứng nhận kết hôn" in text
    assert "Luật Hộ tịch 2014" in text and "Nghị định 123/2015/NĐ-CP" in text
    assert "Tờ khai đăng ký kết hôn (mẫu TT 04/2024)" in text
    html = client.get(detail_url(marriage)).content.decode()
    sections = ["h-facts", "h-components", "h-fees", "h-steps", "h-legal"]
    positions = [html.index(f'id="{s}"') for s in sections]
    assert positions == sorted(positions)


def test_detail_fee_table_formats_amounts_and_periods(client, marriage):
    text = page_text(client.get(detail_url(marriage)))

    assert "Lệ phí 8.000 đ Trực tiếp/bưu chính Nộp trực tiếp tại UBND xã Đang áp dụng" in text
    assert "Nộp trực tiếp tại UBND xã" in text and "NQ 12/2018/NQ-HĐND" in text
    assert "Miễn phí Trực tuyến – từ 08/08/2026" in text
    assert "Phí Theo quy định của HĐND tỉnh Mọi hình thức Cấp bản sao trích lục" in text


def test_detail_components_checklist_marks_data_the_state_already_has(client, marriage):
    text = page_text(client.get(detail_url(marriage)))

    assert "Tờ khai đăng ký kết hôn Bản chính 1 bản" in text
    assert (
        "Giấy xác nhận tình trạng hôn nhân Bản chính 1 bản Có thể dùng lại từ kho dữ liệu" in text
    )
    assert "Thẻ căn cước Xuất trình 1 bản Không cần nộp – cơ quan tự khai thác dữ liệu" in text


def test_detail_lists_process_steps_with_durations(client, marriage):
    text = page_text(client.get(detail_url(marriage)))

    assert "Tiếp nhận hồ sơ Trung tâm phục vụ hành chính công 0,5 ngày làm việc" in text
    assert "Thẩm định, trình ký 2 ngày làm việc" in text


def test_detail_has_a_qr_code_of_the_page(client, marriage):
    html = client.get(detail_url(marriage)).content.decode()

    assert f'src="{reverse("catalog:procedure_qr", args=[marriage.pk])}"' in html


def test_detail_shows_the_public_address_under_the_qr(client, marriage, settings):
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.phuthanh.gov.vn/"

    text = page_text(client.get(detail_url(marriage)))

    assert f"https://motcua.phuthanh.gov.vn/thu-tuc/{marriage.pk}/" in text


def test_detail_links_the_guide_only_when_it_is_published(client, marriage):
    assert "Xem hướng dẫn từng bước" not in page_text(client.get(detail_url(marriage)))

    guide = add_guide(marriage, ["Đăng nhập VNeID."], is_published=False)
    assert "Xem hướng dẫn từng bước" not in page_text(client.get(detail_url(marriage)))

    guide.is_published = True
    guide.save()
    html = client.get(detail_url(marriage)).content.decode()
    assert reverse("catalog:procedure_guide", args=[marriage.pk]) in html


def test_detail_says_honestly_when_data_is_not_yet_verified(client):
    unverified = make_procedure(name="Cấp giấy phép xây dựng", confidence="partial")
    verified = make_procedure(name="Đăng ký khai sinh", confidence="verified")

    note = "Thông tin đang được đối chiếu với Cơ sở dữ liệu quốc gia về TTHC"
    assert note in page_text(client.get(detail_url(unverified)))
    assert note not in page_text(client.get(detail_url(verified)))


def test_procedure_without_fees_or_components_says_so(client):
    p = make_procedure(name="Xác nhận thông tin hộ tịch", processing_days=None)

    text = page_text(client.get(detail_url(p)))

    assert "Không thu phí, lệ phí." in text
    assert "Chưa công bố danh sách giấy tờ" in text
    assert "Chưa công bố thời hạn" in text


def test_draft_procedure_is_not_found_for_the_public(client):
    draft = make_procedure(name="Thủ tục dự thảo", is_published=False)

    response = client.get(detail_url(draft))

    assert response.status_code == 404
    assert "Thủ tục dự thảo" not in page_text(response)


def test_unknown_procedure_gives_a_vietnamese_not_found_page(client):
    response = client.get(reverse("catalog:procedure_detail", args=[999999]))

    assert response.status_code == 404
    text = page_text(response)
    assert "Không tìm thấy thủ tục" in text
    assert "Tìm thủ tục khác" in text


def test_detail_page_query_count_is_fixed(
    client, marriage, django_assert_max_num_queries, settings
):
    for i in range(10):
        add_component(marriage, f"Giấy tờ {i}")
        add_fee(marriage, 1000 * i)

    settings.MOTCUA_PAGE_CACHE = False  # the page's own queries, not the cache's
    # 7: the page's own 5, one for the queue's "Lấy số" / "Đặt lịch hẹn" and one for the
    # online filing's "Nộp trực tuyến" (whether a declaration is published) (catalog.actions)
    with django_assert_max_num_queries(7):
        response = client.get(detail_url(marriage))

    assert response.status_code == 200


# --- QR ---------------------------------------------------------------------------------


def test_qr_is_an_svg_of_the_public_page_address(client, marriage, settings):
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.phuthanh.gov.vn"

    response = client.get(reverse("catalog:procedure_qr", args=[marriage.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    body = response.content
    assert body.startswith(b"<?xml") and b'xmlns="http://www.w3.org/2000/svg"' in body
    assert body == qr_svg(f"https://motcua.phuthanh.gov.vn/thu-tuc/{marriage.pk}/")


def test_qr_uses_the_request_host_when_no_public_address_is_set(client, marriage, settings):
    settings.MOTCUA_PUBLIC_BASE_URL = ""

    response = client.get(reverse("catalog:procedure_qr", args=[marriage.pk]))

    assert response.content == qr_svg(f"http://testserver/thu-tuc/{marriage.pk}/")


def test_qr_of_a_draft_is_not_found(client):
    draft = make_procedure(is_published=False)

    assert client.get(reverse("catalog:procedure_qr", args=[draft.pk])).status_code == 404


def test_field_chips_follow_vietnamese_alphabetical_order(client):
    for name in ("Xây dựng", "Đất đai", "Chứng thực"):
        make_procedure(name=f"Thủ tục {name}", field=name)

    text = page_text(client.get(LIST_URL))
    chips = text[text.index("Tất cả") :]

    assert chips.index("Chứng thực 1") < chips.index("Đất đai 1") < chips.index("Xây dựng 1")


@pytest.mark.parametrize("suffix", ["", "qr.svg", "huong-dan/"])
def test_an_absurdly_long_number_in_the_address_is_not_found(client, suffix):
    response = client.get(f"/thu-tuc/{'9' * 25}/{suffix}")

    assert response.status_code == 404
