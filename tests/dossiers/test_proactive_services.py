"""Proactive services (ND 224/2026 art. 16): a returned result's message offers the
procedures it usually leads to, on the unit's catalog, and says how long the result is valid;
a daily job reminds the holder before it expires, once, unless they switched it off."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from motcua.catalog import services as catalog_services
from motcua.catalog.models import FollowUp, Procedure, ResultValidity
from motcua.dossiers import services, tasks
from motcua.dossiers.models import Dossier

from .conftest import NOTIFY_BASE as BASE
from .factories import at, make_procedure
from .test_status_notifications import ready, rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notify_outbox")]


SHIPPED = Path(catalog_services.__file__).parent / "data" / "proactive.json"


@pytest.fixture
def marital(world):
    """The commune's "Cấp Giấy xác nhận tình trạng hôn nhân" and "Đăng ký kết hôn", under
    their national codes, and the shipped follow-ups and validities."""
    call_command("load_proactive", stdout=StringIO())
    Procedure.objects.filter(pk=world.procedure.pk).update(
        code="1.004873", name="Cấp Giấy xác nhận tình trạng hôn nhân"
    )
    world.procedure.refresh_from_db()
    marriage = make_procedure(world.commune, name="Đăng ký kết hôn")
    Procedure.objects.filter(pk=marriage.pk).update(code="1.000894")
    return marriage


def returned(world, when):
    d = ready(world)
    with_when = services.return_result(world.officer, dossier_id=d.pk, delivery="counter", at=when)
    return Dossier.objects.get(pk=with_when.pk)


def test_the_shipped_reference_data_loads_with_its_sources():
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    counts = catalog_services.load_proactive(data=data)
    assert counts == {"follow_ups": len(data["follow_ups"]), "validities": 1}
    validity = ResultValidity.objects.get(code="1.004873")
    assert validity.days == 180 and "123/2015" in validity.source
    assert all(f.source for f in FollowUp.objects.filter(confidence="sourced"))
    # loading again replaces, never doubles
    catalog_services.load_proactive(data=data)
    assert FollowUp.objects.count() == len(data["follow_ups"])


def test_a_returned_result_offers_what_comes_next_and_says_until_when_it_is_valid(
    world, marital, commit
):
    d = commit(returned, world, at(2026, 11, 20, 10))
    email = next(m.body for m in mail.outbox if "đã trả kết quả" in m.subject)
    assert "Kết quả có giá trị sử dụng đến 19/05/2027" in email  # 180 days after 20/11/2026
    assert "Ông/bà có thể cần làm tiếp" in email
    assert "- Đăng ký kết hôn: Giấy xác nhận tình trạng hôn nhân thường được xin" in email
    assert f"{BASE}/thu-tuc/{marital.pk}/" in email
    assert rows(d).filter(purpose="dossier_returned").count() == 1


def test_a_follow_up_the_unit_does_not_publish_is_not_offered(world, marital, commit):
    Procedure.objects.filter(pk=marital.pk).update(is_published=False)
    commit(returned, world, at(2026, 11, 20, 10))
    returned_mail = [m.body for m in mail.outbox if "đã trả kết quả" in m.subject]
    assert len(returned_mail) == 1 and "có thể cần làm tiếp" not in returned_mail[0]


def test_the_holder_is_reminded_once_before_the_result_expires(world, marital, commit, settings):
    settings.MOTCUA_EXPIRY_REMINDER_DAYS = 14
    d = commit(returned, world, at(2026, 11, 20, 10))  # valid until 19/05/2027 10:00
    assert tasks.remind_expiring_results(now=at(2027, 5, 4, 9)) == 0  # 15 days before
    sent = commit(tasks.remind_expiring_results, now=at(2027, 5, 6, 9))
    assert sent == 1
    reminder = rows(d).get(purpose="result_expiring")
    assert "hết giá trị sử dụng ngày 19/05/2027" in reminder.body
    assert f"{BASE}/thu-tuc/{world.procedure.pk}/" in reminder.body
    assert "Tắt tại" in reminder.body
    # the next days' runs send nothing more; after the expiry nothing at all
    commit(tasks.remind_expiring_results, now=at(2027, 5, 7, 9))
    commit(tasks.remind_expiring_results, now=at(2027, 5, 20, 9))
    assert rows(d).filter(purpose="result_expiring").count() == 1


def test_no_reminder_after_the_holder_switched_the_dossier_off(world, marital, commit):
    d = commit(returned, world, at(2026, 11, 20, 10))
    Dossier.objects.filter(pk=d.pk).update(notifications_off=True)
    assert tasks.remind_expiring_results(now=at(2027, 5, 10, 9)) == 0
    assert not rows(d).filter(purpose="result_expiring").exists()


def test_a_procedure_without_a_validity_rule_is_never_reminded(world, commit):
    call_command("load_proactive", stdout=StringIO())
    d = commit(returned, world, at(2026, 11, 20, 10))  # the world's procedure: no rule
    assert tasks.remind_expiring_results(now=at(2027, 5, 10, 9)) == 0
    assert not rows(d).filter(purpose="result_expiring").exists()
    assert dt.timedelta(days=1)  # the clock here is the arguments', never the wall's
