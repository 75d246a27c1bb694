"""The admin screens with input nobody should send: a prefill the field cannot hold, an unknown
second-factor device. The form opens without the bad value, the unknown device is a 404."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser(username="quantri", password="x")


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


@pytest.mark.parametrize("value", ["abc", "0001-01-01", "99999999999999999999"])
@pytest.mark.parametrize("model", ["village", "department", "counter", "calendarexception"])
def test_an_add_form_prefilled_with_a_value_the_field_cannot_hold_opens(admin_client, model, value):
    response = admin_client.get(reverse(f"admin:core_{model}_add"), {"unit": value})
    assert response.status_code == 200
    assert response.context["adminform"].form.initial.get("unit") is None


def test_a_valid_prefill_is_kept_even_for_a_unit_that_does_not_exist(admin_client):
    unit = Unit.objects.create(code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE)
    for value in (str(unit.pk), "-1", "9223372036854775807"):
        response = admin_client.get(reverse("admin:core_village_add"), {"unit": value})
        assert response.status_code == 200
        assert response.context["adminform"].form.initial["unit"] == value


@pytest.mark.parametrize("view", ["config", "qrcode"])
def test_an_unknown_second_factor_device_is_a_404(admin_client, root, view):
    name = f"admin:otp_totp_totpdevice_{view}"
    assert admin_client.get(reverse(name, args=[987654])).status_code == 404
    # not confirmed: a confirmed device would send the superuser to the code step first
    device = TOTPDevice.objects.create(user=root, name="Điện thoại", confirmed=False)
    assert admin_client.get(reverse(name, args=[device.pk])).status_code == 200
