"""Shared counter PCs: nothing a signed-in person was shown stays in the browser's cache, so
the next person cannot page back into it. Public pages for anonymous visitors stay cacheable,
and a response that already states its caching keeps it."""

import pytest
from django.utils.cache import get_max_age

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.catalog.models import Field, Procedure
from motcua.core.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    unit = Unit.objects.create(code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE)
    user = User.objects.create_user(username="motcua1", password="x", full_name="Cán bộ")
    StaffAssignment.objects.create(user=user, unit=unit, role=Role.COUNTER_OFFICER)
    return user


@pytest.fixture
def procedure(officer):
    unit = Unit.objects.get(code="18073")
    field = Field.objects.create(code="ho-tich", name="Hộ tịch")
    return Procedure.objects.create(
        unit=unit, field=field, code="1.001193", name="Đăng ký khai sinh", is_published=True
    )


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/can-bo/", "/can-bo/ho-so/", "/can-bo/thu-tuc/", "/thu-tuc/"])
def test_every_page_a_signed_in_person_gets_is_no_store(client, officer, path):
    client.force_login(officer)
    response = client.get(path)
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")
    assert "private" in response["Cache-Control"]


def test_an_error_page_of_a_signed_in_person_is_no_store_too(client, officer):
    client.force_login(officer)
    response = client.get("/can-bo/ho-so/999999999/")
    assert response.status_code == 404
    assert no_store(response)


def test_public_pages_of_anonymous_visitors_are_untouched(client, procedure):
    for path in ("/thu-tuc/", f"/thu-tuc/{procedure.pk}/"):
        response = client.get(path)
        assert response.status_code == 200
        assert not response.has_header("Cache-Control"), path


def test_a_view_that_chose_its_caching_keeps_it(client, officer, procedure):
    client.force_login(officer)
    response = client.get(f"/thu-tuc/{procedure.pk}/qr.svg")  # the same image for everyone
    assert response.status_code == 200
    assert not no_store(response)
    assert get_max_age(response) == 86400


def test_after_sign_out_the_staff_page_is_not_served_from_anywhere(client, officer):
    client.force_login(officer)
    assert no_store(client.get("/can-bo/ho-so/"))
    client.post("/can-bo/dang-xuat/")
    response = client.get("/can-bo/ho-so/")
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]
