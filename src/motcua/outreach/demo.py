"""Demo adoption data for `load_demo`: every village of the demo commune, some ahead of the
target and some behind, a few guidance sessions and the "Cao điểm 60 ngày" campaign.

Deterministic and idempotent: residents get synthetic 12-digit IDs starting with 0999 (no
province has code 099), hashed like real ones, so a second run finds them and adds nothing.
Rows are bulk-inserted (thousands of them) with one summary audit event instead of one each.
"""

import random
import uuid
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import Role, StaffAssignment
from motcua.core import audit
from motcua.core.models import Unit, Village

from .identity import keyed_hash
from .models import AgeGroup, AssistedAction, Campaign, GuidanceSession, Resident

DEMO_NAMESPACE = uuid.UUID("0c7a4f52-3b8e-4e0f-8f43-6a1d5b9e2c70")
CAMPAIGN_NAME = "Cao điểm 60 ngày"
# share of the working-age population reached, village by village (sorted by name), cycling
SHARES = [0.52, 0.46, 0.31, 0.12, 0.48, 0.24, 0.38, 0.09, 0.55, 0.20, 0.41, 0.29, 0.47, 0.17]
PLACES = ["Nhà văn hóa {v}", "Sân trường tiểu học, {v}", "Nhà sinh hoạt cộng đồng {v}"]


def _campaign(unit: Unit) -> Campaign:
    today = timezone.localdate()
    start = today - timedelta(days=30)
    end = start + timedelta(days=59)
    campaign, _ = Campaign.objects.get_or_create(
        unit=unit,
        name=CAMPAIGN_NAME,
        defaults={
            "start": start,
            "end": end,
            "target_percent": 45,
            "stretch_percent": 50,
            "milestones": [
                {"date": (start + timedelta(days=20)).isoformat(), "percent": 15},
                {"date": (start + timedelta(days=40)).isoformat(), "percent": 30},
                {"date": end.isoformat(), "percent": 45},
            ],
        },
    )
    return campaign


def _when(rng: random.Random, start, now) -> datetime:
    """A moment in the campaign's first 30 days (the draw never depends on today's date, so
    the same random sequence, hence the same records, comes out on every run)."""
    begin = timezone.make_aware(datetime.combine(start, time(7, 30)))
    offset = timedelta(days=rng.randrange(30), seconds=rng.randrange(12 * 3600))  # 7:30-19:30
    return min(begin + offset, now)


def load_demo_adoption(unit: Unit, actor=None) -> dict:
    """Load (or complete) the demo adoption records of `unit`; returns what was added."""
    now = timezone.now()
    added = {"residents": 0, "actions": 0, "sessions": 0}
    with transaction.atomic():
        campaign = _campaign(unit)
        team = dict(
            StaffAssignment.objects.filter(
                unit=unit, role=Role.DIGITAL_TEAM, is_active=True, village__isnull=False
            ).values_list("village_id", "user_id")
        )
        villages = list(Village.objects.filter(unit=unit).order_by("name"))
        for index, village in enumerate(villages):
            rng = random.Random(f"{unit.code}:{index}")
            share = SHARES[index % len(SHARES)]
            working = round(village.working_age_population * share)
            others = round(working * 0.15)  # under 18 and over 60 guided too
            people = []
            for i in range(working + others):
                cid = f"0999{index:02d}{i:06d}"
                group = (
                    AgeGroup.WORKING
                    if i < working
                    else rng.choice([AgeGroup.UNDER_18, AgeGroup.SENIOR])
                )
                people.append((cid, keyed_hash("cccd", cid), group))
            existing = dict(
                Resident.objects.filter(
                    unit=unit, id_hash__in=[h for _, h, _ in people]
                ).values_list("id_hash", "id")
            )
            new = [
                Resident(
                    unit=unit,
                    village=village,
                    id_hash=h,
                    last3=cid[-3:],
                    age_group=group,
                )
                for cid, h, group in people
                if h not in existing
            ]
            Resident.objects.bulk_create(new, batch_size=500)
            added["residents"] += len(new)
            ids = dict(
                Resident.objects.filter(
                    unit=unit, id_hash__in=[h for _, h, _ in people]
                ).values_list("id_hash", "id")
            )
            done = set(
                AssistedAction.objects.filter(resident_id__in=ids.values()).values_list(
                    "resident_id", "kind"
                )
            )
            actions = []
            for cid, h, _group in people:
                r = rng.random()
                kinds = [
                    AssistedAction.Kind.APP_REGISTERED
                    if r < 0.15
                    else AssistedAction.Kind.APP_INSTALLED
                ]
                if rng.random() < 0.4:
                    kinds.append(AssistedAction.Kind.VNEID_LEVEL2)
                if rng.random() < 0.12:
                    kinds.append(AssistedAction.Kind.FIRST_ONLINE_DOSSIER)
                if rng.random() < 0.06:
                    kinds.append(AssistedAction.Kind.FIRST_ONLINE_PAYMENT)
                when = _when(rng, campaign.start, now)
                for kind in kinds:
                    if (ids[h], kind) in done:
                        continue
                    registered = kind == AssistedAction.Kind.APP_REGISTERED
                    actions.append(
                        AssistedAction(
                            resident_id=ids[h],
                            unit=unit,
                            village=village,
                            kind=kind,
                            recorded_by_id=None if registered else team.get(village.pk),
                            source=AssistedAction.Source.FIRST_TICKET
                            if registered
                            else AssistedAction.Source.TEAM_MEMBER,
                            occurred_at=when,
                            client_uuid=uuid.uuid5(DEMO_NAMESPACE, f"{unit.code}:{cid}:{kind}"),
                        )
                    )
            AssistedAction.objects.bulk_create(actions, batch_size=500)
            added["actions"] += len(actions)
            for n in range(1 + index % 3):
                key = uuid.uuid5(DEMO_NAMESPACE, f"{unit.code}:session:{index}:{n}")
                _, created = GuidanceSession.objects.get_or_create(
                    client_uuid=key,
                    defaults={
                        "unit": unit,
                        "village": village,
                        "date": campaign.start + timedelta(days=5 + 9 * n + index % 4),
                        "place": PLACES[n % len(PLACES)].format(v=str(village).lower()),
                        "attendees": 25 + rng.randrange(40),
                        "notes": "Hướng dẫn cài ứng dụng đặt hẹn, tạo tài khoản VNeID mức 2.",
                        "recorded_by_id": team.get(village.pk),
                    },
                )
                added["sessions"] += int(created)
        audit.record(
            action="outreach.demo_loaded",
            obj=campaign,
            actor=actor,
            unit=unit,
            changes=added,
        )
    return added
