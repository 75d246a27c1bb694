"""The admin shows dossiers and their history to the operator but changes nothing: state
changes go through the services only."""

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier, Status

from .factories import drive_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    root = django_user_model.objects.create_superuser(username="quantri", password="x")
    client.force_login(root)
    return client


def test_operator_reads_a_dossier_with_its_history_but_cannot_edit_it(world, admin_client):
    dossier = drive_to(world, Status.RETURNED)
    listing = admin_client.get(reverse("admin:dossiers_dossier_changelist"))
    assert listing.status_code == 200
    assert dossier.code in listing.content.decode()
    detail = admin_client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "return_result" in html and 'name="_save"' not in html
    forged = admin_client.post(
        reverse("admin:dossiers_dossier_change", args=[dossier.pk]), {"status": Status.PROCESSING}
    )
    assert forged.status_code == 403
    assert admin_client.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED
    events = admin_client.get(reverse("admin:dossiers_dossierevent_changelist"))
    assert events.status_code == 200
