"""The public catalog pages come from the cache for anonymous visitors, change the moment the
catalog changes, and never hand one visitor another's CSRF token or a staff member's page."""

import pytest
from django.db import connection, transaction
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.catalog import services
from motcua.catalog.models import Procedure
from motcua.catalog.services import import_catalog
from motcua.core import pagecache

from .factories_public import add_fee, make_procedure, make_unit

pytestmark = pytest.mark.django_db
LIST_URL = reverse("catalog:procedure_list")
TOKEN_IN_FORM = 'name="csrfmiddlewaretoken" value="'


def catalog_queries(fn) -> list[str]:
    """The SQL `fn` sent to catalog tables (the database cache's own queries left out)."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries if "catalog_" in q["sql"]]


def form_token(response) -> str:
    body = response.content.decode()
    start = body.index(TOKEN_IN_FORM) + len(TOKEN_IN_FORM)
    return body[start : body.index('"', start)]


@pytest.fixture
def marriage():
    unit = make_unit(name="Xã Tân Lập", code="25210")
    procedure = make_procedure(name="Đăng ký kết hôn", unit=unit, code="1.000894")
    add_fee(procedure, 10000)
    return procedure


def test_a_second_visitor_gets_the_search_page_without_touching_the_catalog(client, marriage):
    first = client.get(LIST_URL, {"q": "ket hon"})
    assert "Đăng ký kết hôn" in first.content.decode()

    second = []
    assert catalog_queries(lambda: second.append(Client().get(LIST_URL, {"q": "ket hon"}))) == []
    assert second[0].status_code == 200
    assert "Đăng ký kết hôn" in second[0].content.decode()
    # another search is another page
    assert catalog_queries(lambda: Client().get(LIST_URL, {"q": "khai sinh"})) != []


def test_a_new_procedure_and_an_edit_show_on_the_very_next_request(client, marriage):
    assert "Đăng ký khai sinh" not in client.get(LIST_URL).content.decode()
    make_procedure(name="Đăng ký khai sinh", unit=marriage.unit, code="1.001193")
    assert "Đăng ký khai sinh" in client.get(LIST_URL).content.decode()

    detail = reverse("catalog:procedure_detail", args=[marriage.pk])
    assert "Đăng ký kết hôn" in client.get(detail).content.decode()
    marriage.name = "Đăng ký kết hôn (sửa đổi)"
    services.save_procedure(procedure=marriage, actor=None)
    assert "Đăng ký kết hôn (sửa đổi)" in client.get(detail).content.decode()

    marriage.is_published = False  # withdrawn in the admin: gone at once, not in an hour
    marriage.save()
    assert client.get(detail).status_code == 404


def test_a_change_to_a_fee_alone_shows_at_once(client, marriage):
    detail = reverse("catalog:procedure_detail", args=[marriage.pk])
    assert "10.000" in client.get(detail).content.decode()
    fee = marriage.fees.get()
    fee.amount_vnd = 25000
    fee.save()
    body = client.get(detail).content.decode()
    assert "25.000" in body
    assert "10.000" not in body


def test_an_import_that_replaces_fees_in_bulk_shows_at_once(client, marriage, settings):
    from motcua.catalog.importing import RowInput

    detail = reverse("catalog:procedure_detail", args=[marriage.pk])
    client.get(detail)
    version = pagecache.version(services.PUBLIC_PAGES)
    record = {
        "code": "1.000894",
        "name": "Đăng ký kết hôn",
        "field": "Hộ tịch",
        "level": "commune",
        "processing_days": "3",
    }
    report = import_catalog(
        unit=marriage.unit, records=[RowInput(row=2, record=record)], actor=None, publish=True
    )
    assert (report.errors, report.updated) == ([], 1)
    assert pagecache.version(services.PUBLIC_PAGES) > version


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_not_shown_and_a_committed_one_is(client):
    unit = make_unit(name="Xã Tân Lập", code="25211")
    make_procedure(name="Chứng thực bản sao", unit=unit, code="2.000815")
    client.get(LIST_URL)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_procedure(name="Thủ tục bị huỷ", unit=unit, code="2.000999")
        client.get(LIST_URL)  # another request during the transaction (same connection here)
        raise RuntimeError
    assert "Thủ tục bị huỷ" not in client.get(LIST_URL).content.decode()
    with transaction.atomic():
        make_procedure(name="Cấp bản sao trích lục", unit=unit, code="2.000635")
    assert "Cấp bản sao trích lục" in client.get(LIST_URL).content.decode()


def test_each_visitor_gets_a_token_of_their_own_and_the_language_switch_works():
    make_procedure(name="Đăng ký kết hôn", code="1.000894")
    first = Client(enforce_csrf_checks=True)
    answer_1 = first.get(LIST_URL)
    second = Client(enforce_csrf_checks=True)
    answer_2 = []
    assert catalog_queries(lambda: answer_2.append(second.get(LIST_URL))) == []  # from cache
    answer_2 = answer_2[0]

    secret_1 = first.cookies["csrftoken"].value
    secret_2 = second.cookies["csrftoken"].value
    assert secret_1 != secret_2
    assert _unmask_cipher_token(form_token(answer_1)) == secret_1
    assert _unmask_cipher_token(form_token(answer_2)) == secret_2
    assert b"\x00" not in answer_2.content

    switched = second.post(
        reverse("set_language"),
        {"language": "en", "next": LIST_URL, "csrfmiddlewaretoken": form_token(answer_2)},
    )
    assert switched.status_code == 302
    english = second.get(LIST_URL)
    assert english["Content-Language"] == "en"
    assert _unmask_cipher_token(form_token(english)) == secret_2


def test_a_visitor_with_a_session_is_never_served_from_the_cache(client, django_user_model):
    make_procedure(name="Đăng ký kết hôn", code="1.000894")
    Client().get(LIST_URL)  # cached for anonymous visitors
    user = django_user_model.objects.create_user(username="canbo1", password="x-Mat-khau-9")
    client.force_login(user)
    assert catalog_queries(lambda: client.get(LIST_URL)) != []


def test_the_page_cache_can_be_switched_off(client, settings):
    make_procedure(name="Đăng ký kết hôn", code="1.000894")
    client.get(LIST_URL)
    settings.MOTCUA_PAGE_CACHE = False
    assert catalog_queries(lambda: client.get(LIST_URL)) != []
    assert Procedure.objects.count() == 1
