"""Demo adoption data: every village gets records, some ahead of the target and some behind,
loading twice adds nothing, and no raw personal number is stored."""

from motcua.accounts.models import Role
from motcua.core.models import AuditEvent, Village
from motcua.outreach import selectors
from motcua.outreach.demo import load_demo_adoption
from motcua.outreach.models import AssistedAction, Campaign, GuidanceSession, Resident


def test_demo_adoption_covers_every_village_and_is_idempotent(commune, make_staff):
    villages = [
        Village.objects.create(
            unit=commune, name=f"Thôn {i}", population=1600, working_age_population=1000
        )
        for i in range(1, 6)
    ]
    member = make_staff(Role.DIGITAL_TEAM, commune, villages[0])

    first = load_demo_adoption(commune)
    counts = (
        Resident.objects.count(),
        AssistedAction.objects.count(),
        GuidanceSession.objects.count(),
    )
    second = load_demo_adoption(commune)

    assert first["residents"] > 2000 and first["sessions"] >= 5
    assert second == {"residents": 0, "actions": 0, "sessions": 0}
    assert counts == (
        Resident.objects.count(),
        AssistedAction.objects.count(),
        GuidanceSession.objects.count(),
    )
    campaign = Campaign.objects.get(unit=commune)
    assert campaign.name == "Cao điểm 60 ngày"
    assert (campaign.target_percent, campaign.stretch_percent) == (45, 50)
    assert AuditEvent.objects.filter(action="outreach.demo_loaded").count() == 2

    (board,) = selectors.dashboard(Village.objects.filter(unit=commune).select_related("unit"))
    statuses = {str(r.village): r.status for r in board.rows}
    assert "reached" in statuses.values() and "behind" in statuses.values()
    assert all(r.adopted_working_age > 0 and r.sessions > 0 for r in board.rows)
    assert (
        AssistedAction.objects.filter(village=villages[0], source="team_member")
        .exclude(recorded_by=member)
        .count()
        == 0
    )

    resident = Resident.objects.first()
    assert resident.id_hash and len(resident.id_hash) == 64
    assert not resident.id_hash.startswith("0999")
