"""The citizens' home page at / leads to every public service the deployment offers, for the
commune the citizen is in, and to nothing it does not offer."""

import re

import pytest
from django.urls import reverse

from motcua.core.models import Unit
from motcua.queueing.models import BookingRule, Service

pytestmark = pytest.mark.django_db


def commune(code: str, name: str, **kw) -> Unit:
    return Unit.objects.create(code=code, name=name, kind=Unit.Kind.COMMUNE, **kw)


def queue(unit: Unit, *, bookings: bool = True, active: bool = True) -> Service:
    service = Service.objects.create(unit=unit, code="A", name="Hộ tịch", is_active=active)
    if bookings:
        BookingRule.objects.create(service=service)
    return service


def links(response) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


def test_home_is_a_page_not_a_redirect_and_lists_every_public_service(client):
    vinh_bao = commune("11824", "Xã Vĩnh Bảo", address="Thôn Đông", phone="0225 3884 123")
    queue(vinh_bao)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Dịch vụ công cho người dân" in html
    assert "Xã Vĩnh Bảo · Thôn Đông" in html
    found = links(response)
    for url in (
        reverse("queueing:citizen_home", args=["11824"]),
        reverse("queueing:booking_start", args=["11824"]),
        reverse("dossiers:tracking_lookup"),
        reverse("documents:verify"),
        reverse("catalog:procedure_list"),
        reverse("filing:home"),  # online filing: the citizen's drafts, after the VNeID sign-in
    ):
        assert url in found, url
    # the search box searches the catalog (diacritics optional there)
    assert f'action="{reverse("catalog:procedure_list")}"' in html
    assert 'name="q"' in html
    assert "Nộp hồ sơ trực tuyến" in html


def test_without_a_booking_rule_booking_is_not_offered(client):
    queue(commune("11824", "Xã Vĩnh Bảo"), bookings=False)

    found = links(client.get("/"))

    assert reverse("queueing:citizen_home", args=["11824"]) in found
    assert reverse("queueing:booking_start", args=["11824"]) not in found


def test_without_a_queue_only_search_tracking_and_verification_are_offered(client):
    commune("11824", "Xã Vĩnh Bảo")
    queue(commune("11836", "Xã Vĩnh Thịnh"), active=False)
    queue(commune("11840", "Xã Đã Sáp Nhập", is_active=False))

    response = client.get("/")

    found = links(response)
    assert not any(u.startswith("/hang-doi/") for u in found), found
    assert reverse("dossiers:tracking_lookup") in found
    assert reverse("documents:verify") in found
    assert 'data-testid="unit-pick"' not in response.content.decode()


def test_with_several_communes_the_citizen_picks_one_then_the_service(client):
    queue(commune("11824", "Xã Vĩnh Bảo"))
    queue(commune("11836", "Xã Vĩnh Thịnh"), bookings=False)

    response = client.get("/")
    html = response.content.decode()
    assert 'data-testid="unit-pick"' in html
    assert '<option value="11824">Xã Vĩnh Bảo</option>' in html
    assert '<option value="11836">Xã Vĩnh Thịnh</option>' in html
    assert not any(u.startswith("/hang-doi/") for u in links(response))

    ticket = client.get("/", {"don-vi": "11836", "den": "lay-so"})
    assert ticket.status_code == 302
    assert ticket["Location"] == reverse("queueing:citizen_home", args=["11836"])
    booking = client.get("/", {"don-vi": "11824", "den": "dat-hen"})
    assert booking["Location"] == reverse("queueing:booking_start", args=["11824"])

    chosen = client.get("/", {"don-vi": "11836"})
    assert chosen.status_code == 200
    found = links(chosen)
    assert reverse("queueing:citizen_home", args=["11836"]) in found
    assert reverse("queueing:booking_start", args=["11836"]) not in found  # no booking rule
    assert reverse("portal:home") in found  # "Chọn xã, phường khác"


@pytest.mark.parametrize(
    ("params", "chosen"),
    [
        ({"don-vi": "99999", "den": "lay-so"}, None),  # no such commune
        ({"don-vi": "11840", "den": "lay-so"}, None),  # a commune without a queue
        ({"den": "lay-so"}, None),  # no commune chosen
        ({"don-vi": "11824", "den": "../quan-tri/"}, "11824"),  # not a service: no redirect
    ],
)
def test_a_choice_that_is_not_offered_redirects_nowhere(client, params, chosen):
    queue(commune("11824", "Xã Vĩnh Bảo"))
    queue(commune("11836", "Xã Vĩnh Thịnh"))
    commune("11840", "Xã Không Có Hàng Đợi")

    response = client.get("/", params)

    assert response.status_code == 200
    html = response.content.decode()
    if chosen is None:
        assert 'data-testid="unit-pick"' in html
        assert not any(u.startswith("/hang-doi/") for u in links(response))
    else:
        assert 'data-testid="unit-pick"' not in html
        assert reverse("queueing:citizen_home", args=[chosen]) in links(response)


def test_home_only_answers_reads(client):
    assert client.post("/").status_code == 405


def test_home_query_count_does_not_grow_with_communes(client, django_assert_max_num_queries):
    for n in range(12):
        queue(commune(f"118{n:02d}", f"Xã Số {n}"))

    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200


def test_home_reads_in_english_when_the_person_switches(client):
    queue(commune("11824", "Xã Vĩnh Bảo"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = client.get("/").content.decode()

    assert "Public services for citizens" in html
    assert "Verify a result or document" in html
