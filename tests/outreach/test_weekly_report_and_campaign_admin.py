"""The weekly report is due before 15:00 on Friday; campaigns are set up in the admin, audited."""

import json
from datetime import datetime

import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.models import AuditEvent
from motcua.outreach.models import Campaign
from motcua.outreach.selectors import weekly_report_due

from .conftest import MODEL_BACKEND


def local(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-11-18 10:00", "2026-11-20 15:00"),  # Wednesday -> this Friday
        ("2026-11-20 14:59", "2026-11-20 15:00"),  # Friday before 15:00 -> today
        ("2026-11-20 15:00", "2026-11-27 15:00"),  # Friday at 15:00 -> next week
        ("2026-11-21 09:00", "2026-11-27 15:00"),  # Saturday
    ],
)
def test_weekly_report_is_due_before_three_on_friday(now, due):
    assert weekly_report_due(local(now)) == local(due)


def test_administrator_sets_up_a_campaign_with_milestones(client, commune):
    admin = User.objects.create_superuser("quantri", password="Mot-cua-2025!an-toan")
    client.force_login(admin, backend=MODEL_BACKEND)
    assert client.get("/quan-tri/outreach/campaign/add/").status_code == 200

    response = client.post(
        "/quan-tri/outreach/campaign/add/",
        {
            "unit": commune.pk,
            "name": "Cao điểm 60 ngày",
            "start": "2025-08-10",
            "end": "2025-10-10",
            "target_percent": "45",
            "stretch_percent": "50",
            "milestones": json.dumps(
                [{"date": "2025-09-05", "percent": 25}, {"date": "2025-10-06", "percent": 45}]
            ),
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.milestone_list()[0][1] == 25
    assert AuditEvent.objects.filter(action="outreach.campaign_created").count() == 1

    bad = client.post(
        "/quan-tri/outreach/campaign/add/",
        {
            "unit": commune.pk,
            "name": "Cao điểm 30 ngày",
            "start": "2025-08-10",
            "end": "2025-10-10",
            "target_percent": "45",
            "stretch_percent": "50",
            "milestones": '[{"date": "05/09/2025", "percent": 25}]',
        },
    )
    assert bad.status_code == 200
    assert "Mốc không hợp lệ" in bad.content.decode()
