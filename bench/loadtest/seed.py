# Run by bench/loadtest/run.py through `manage.py shell -c` after load_demo: makes today a
# working day (the queue refuses otherwise), opens every counter, issues a few tickets, and
# writes what the locust users need to LOADTEST_DATA_OUT (ids, codes, logins; no secrets but
# the demo password that `make run` prints anyway).
import json
import os

from django.test import Client
from django.utils import timezone

from motcua.accounts.models import Role, StaffAssignment
from motcua.catalog.models import Procedure
from motcua.core import calendar
from motcua.core.models import CalendarException, Counter, Unit
from motcua.demo.services import DEMO_PASSWORD
from motcua.dossiers.models import Dossier
from motcua.queueing import services as queue
from motcua.queueing.models import Service, Ticket

today = timezone.localdate()
if not calendar.is_working_day(today, None):
    CalendarException.objects.create(
        date=today, kind=CalendarException.Kind.WORKING_DAY, name="Kiểm thử tải"
    )
    calendar.clear_cache()

home = Unit.objects.get(code="11824")


def logins(unit, *roles):
    return sorted(
        StaffAssignment.objects.filter(unit=unit, role__in=roles, is_active=True)
        .values_list("user__username", flat=True)
        .distinct()
    )


counters, queue_units, tokens = [], [], []
for unit in Unit.objects.filter(pk__in=Service.objects.values("unit_id")).distinct():
    officers = logins(unit, Role.COUNTER_OFFICER)
    services = list(Service.objects.filter(unit=unit, is_active=True))
    if not officers or not services:
        continue
    queue_units.append({"code": unit.code, "services": [s.pk for s in services]})
    for i, counter in enumerate(Counter.objects.filter(unit=unit, is_active=True)):
        officer = StaffAssignment.objects.get(
            unit=unit, role=Role.COUNTER_OFFICER, user__username=officers[i % len(officers)]
        ).user
        queue.open_counter(counter=counter, officer=officer)
        counters.append({"id": counter.pk, "officer": officer.username})
    for n in range(20):
        t = queue.issue_ticket(unit=unit, service=services[n % len(services)], source="kiosk")
        tokens.append(t.access_token)

tokens += list(
    Ticket.objects.filter(day=today, access_token__isnull=False).values_list(
        "access_token", flat=True
    )[:200]
)
# Staff are signed in before the run, as on a working morning: 90 people logging in within the
# ten seconds the users take to start would measure password hashing (PBKDF2), not the day.
sessions = {}
for username in (
    set(logins(home, Role.SPECIALIST, Role.LEADER, Role.MANAGER))
    | set(logins(home, Role.COUNTER_OFFICER))
    | {c["officer"] for c in counters}
):
    user = StaffAssignment.objects.filter(user__username=username).first().user
    keys = []
    for _ in range(12):
        browser = Client()
        browser.force_login(user)
        keys.append(browser.cookies["sessionid"].value)
    sessions[username] = keys

published = Procedure.objects.filter(is_published=True)
data = {
    "password": DEMO_PASSWORD,
    "sessions": sessions,
    "specialists": logins(home, Role.SPECIALIST, Role.LEADER, Role.MANAGER),
    "receivers": logins(home, Role.COUNTER_OFFICER),
    "counters": counters,
    "queue_units": queue_units,
    "ticket_tokens": [t for t in tokens if t],
    "dossier_ids": list(
        Dossier.objects.filter(receiving_unit=home)
        .order_by("-pk")
        .values_list("pk", flat=True)[:300]
    ),
    "worklist_tabs": ["", "?tab=mine", "?tab=due_soon", "?tab=overdue", "?tab=all"],
    "procedure_ids": list(published.values_list("pk", flat=True)),
    "reception_procedures": list(
        published.filter(unit=home, fees__isnull=True).values_list("pk", flat=True)[:20]
    )
    or list(published.filter(unit=home).values_list("pk", flat=True)[:20]),
    "tracking": list(
        Dossier.objects.exclude(applicant_phone="").values_list("code", "applicant_phone")[:300]
    ),
    "searches": [
        "dang ky ket hon",
        "khai sinh",
        "chung thuc",
        "xac nhan tinh trang hon nhan",
        "khai tu",
        "ban sao",
        "ho tich",
        "dat dai",
        "giam ho",
        "thuong tru",
        "nuoi con nuoi",
        "1.001193",
        "dang ky lai",
        "trich luc",
        "ho kinh doanh",
        "ket hon",
        "cap lai",
    ],
}
with open(os.environ["LOADTEST_DATA_OUT"], "w", encoding="utf-8") as out:
    json.dump(data, out, ensure_ascii=False)
print({k: len(v) if isinstance(v, list) else "" for k, v in data.items()})
