"""The boards' polling answer is a cache read while nothing changes, and a call, a new ticket or
a counter opening is in the very next answer."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.models import Unit
from motcua.queueing import services

URL = "/hang-doi/man-hinh/18073/trang-thai.json"


def queue_queries(client, *args) -> tuple[list[str], object]:
    """The answer and the SQL it sent to queue and unit tables (the cache's own left out)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, *args)
    sql = [
        q["sql"]
        for q in captured.captured_queries
        if "queueing_" in q["sql"] or "core_unit" in q["sql"] or "core_counter" in q["sql"]
    ]
    return sql, response


def test_boards_polling_while_nothing_changes_read_only_the_cache(
    client, commune, open_counters, issue
):
    issue("A")
    first = client.get(URL).json()
    for _ in range(3):
        sql, response = queue_queries(client)
        assert sql == []
        assert response.json()["version"] == first["version"]
        assert response.json()["fingerprint"] == first["fingerprint"]
    sql, response = queue_queries(client, {"since": first["version"], "fp": first["fingerprint"]})
    assert (sql, response.status_code) == ([], 204)


def test_a_call_and_a_new_ticket_are_in_the_very_next_answer(
    client, commune, open_counters, officer, issue
):
    issue("A")
    before = client.get(URL).json()
    ticket = services.call_next(counter=open_counters[1], officer=officer)
    called = client.get(URL, {"since": before["version"], "fp": before["fingerprint"]})
    assert called.status_code == 200
    assert called.json()["counters"][0]["ticket"] == ticket.code
    assert called.json()["calls"][0]["ticket"] == ticket.code

    issue("B")
    waiting = {row["code"]: row["waiting"] for row in client.get(URL).json()["waiting"]}
    assert waiting["B"] == 1


def test_a_counter_opening_is_in_the_next_answer(client, commune, counters, officer, clock):
    services.open_counter(counter=counters[1], officer=officer)
    assert [c["is_open"] for c in client.get(URL).json()["counters"]] == [True, False]
    services.open_counter(counter=counters[2], officer=officer)
    assert [c["is_open"] for c in client.get(URL).json()["counters"]] == [True, True]


def test_a_unit_switched_off_stops_answering_at_once(client, commune, open_counters):
    assert client.get(URL).status_code == 200
    Unit.objects.filter(pk=commune.pk).update(is_active=False)  # raw: no signal...
    commune.is_active = False
    commune.save()  # ...the save (admin) is what bumps
    assert client.get(URL).status_code == 404


def test_another_units_call_does_not_empty_this_boards_cache(
    client, commune, other_commune, open_counters, issue, make_officer
):
    from motcua.core.models import Counter
    from motcua.queueing.models import CounterAssignment, Service

    issue("A")
    client.get(URL)
    service = Service.objects.create(unit=other_commune, code="A", name="Hộ tịch", order=1)
    counter = Counter.objects.create(unit=other_commune, number=1, name="Một cửa")
    CounterAssignment.objects.create(counter=counter).services.set([service])
    other_officer = make_officer(other_commune)
    services.open_counter(counter=counter, officer=other_officer)
    services.issue_ticket(unit=other_commune, service=service, source="kiosk")
    services.call_next(counter=counter, officer=other_officer)
    sql, _response = queue_queries(client)
    assert sql == []


def test_with_the_cache_switched_off_every_answer_reads_the_database(
    client, commune, open_counters, issue, settings
):
    issue("A")
    client.get(URL)
    settings.MOTCUA_PAGE_CACHE = False
    sql, response = queue_queries(client)
    assert response.status_code == 200
    assert any("queueing_ticket" in q for q in sql)
