"""The admin shows a unit administrator the lookup log of their own unit, read-only."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.registry import lookup
from motcua.registry.models import RegistryLookup

from .conftest import HUNG, LAN, make_user

pytestmark = pytest.mark.django_db


def test_the_unit_administrator_reads_their_units_lookups_and_changes_nothing(
    client, people, officer, other_officer, vinh_bao, vinh_thinh
):
    lookup(LAN, actor=officer, purpose="reception", unit=vinh_bao)
    lookup(HUNG, actor=other_officer, purpose="reception", unit=vinh_thinh)
    mine = RegistryLookup.objects.get(unit=vinh_bao)
    theirs = RegistryLookup.objects.get(unit=vinh_thinh)
    administrator = make_user((Role.ADMINISTRATOR, vinh_bao))
    administrator.is_staff = True  # the Django admin's own gate
    administrator.save()
    administrator.user_permissions.set(Permission.objects.all())  # scoping must still hold
    client.force_login(administrator, backend="django.contrib.auth.backends.ModelBackend")
    listing = client.get(reverse("admin:registry_registrylookup_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert LAN in html and HUNG not in html
    change = reverse("admin:registry_registrylookup_change", args=[mine.pk])
    detail = client.get(change)
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(change, {"outcome": "not_found"}).status_code == 403
    assert client.get(reverse("admin:registry_registrylookup_add")).status_code == 403
    foreign = reverse("admin:registry_registrylookup_change", args=[theirs.pk])
    assert client.get(foreign).status_code in (302, 404)
    assert RegistryLookup.objects.get(pk=mine.pk).outcome == "found"
