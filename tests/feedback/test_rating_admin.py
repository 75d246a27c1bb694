"""The admin shows ratings read-only, each administrator only their own unit's."""

from django.urls import reverse

from motcua.accounts.models import Role
from motcua.feedback import services
from motcua.feedback.models import Level, Rating, Reason

from .conftest import MODEL_BACKEND


def test_a_unit_administrator_reads_own_ratings_and_can_change_none(
    client, serve, make_officer, commune, other_commune
):
    ours = services.rate_ticket(
        ticket=serve("A"), level=Level.NOT_SATISFIED, reason=Reason.ATTITUDE
    ).rating
    admin = make_officer(commune, role=Role.ADMINISTRATOR)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    stranger = make_officer(other_commune, role=Role.ADMINISTRATOR)
    stranger.is_staff = True
    stranger.save(update_fields=["is_staff"])

    client.force_login(admin, backend=MODEL_BACKEND)
    listing = client.get(reverse("admin:feedback_rating_changelist"))
    assert listing.status_code == 200 and "A001" in listing.content.decode()
    change = reverse("admin:feedback_rating_change", args=[ours.pk])
    assert 'name="_save"' not in client.get(change).content.decode()
    assert client.post(change, {"level": Level.VERY_SATISFIED}).status_code == 403
    assert client.get(reverse("admin:feedback_rating_add")).status_code == 403
    delete = reverse("admin:feedback_rating_delete", args=[ours.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Rating.objects.get().level == Level.NOT_SATISFIED

    client.force_login(stranger, backend=MODEL_BACKEND)
    assert "A001" not in client.get(reverse("admin:feedback_rating_changelist")).content.decode()
    assert client.get(change).status_code in (302, 404)  # another unit's rating: not there
