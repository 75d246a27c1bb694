"""The hall display board: what it shows, its version, the live stream and the polling answer."""

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import AsyncClient

from motcua.core.models import Counter
from motcua.queueing import display, services


@pytest.fixture(autouse=True)
def no_shared_snapshots():
    """Each test starts without snapshots shared from an earlier one."""
    display._shared.clear()
    yield
    display._shared.clear()


def run_async(coro):
    """Run a coroutine on its own thread and loop: Playwright's sync API keeps an event loop
    running in the main thread once a browser test ran in this process."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def call_next_elsewhere(**kwargs):
    """A call made by another thread (another request), which hands its connection back."""
    try:
        return services.call_next(**kwargs)
    finally:
        connection.close()


def board(commune):
    return display.snapshot(commune)


def parse_events(text: str) -> list[dict]:
    """The `snapshot` events of an SSE body, as {"id": int, "data": dict}."""
    out = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if fields.get("event") == "snapshot":
            out.append({"id": int(fields["id"]), "data": json.loads(fields["data"])})
    return out


def test_board_shows_the_number_at_each_counter_recent_calls_and_people_waiting(
    commune, svc, open_counters, officer, issue, clock
):
    issue("A")
    issue("A")
    issue("B")
    issue("C")
    first = services.call_next(counter=open_counters[1], officer=officer)
    second = services.call_next(counter=open_counters[2], officer=officer)

    snap = board(commune)

    assert snap["unit"] == {"code": "18073", "name": "Xã Thạch Hà"}
    assert [(c["number"], c["ticket"], c["is_open"]) for c in snap["counters"]] == [
        (1, first.code, True),
        (2, second.code, True),
    ]
    assert snap["counters"][0]["service"] == first.service.name
    assert [(c["ticket"], c["counter"]) for c in snap["calls"]] == [
        (second.code, 2),
        (first.code, 1),
    ]
    assert snap["calls"][0]["text"] == f"Mời công dân có số {second.code} đến quầy số 2"
    assert snap["calls"][0]["audio"] == f"/hang-doi/am-thanh/18073/{second.code}-2.wav"
    waiting = {w["code"]: w["waiting"] for w in snap["waiting"]}
    assert sum(waiting.values()) == 2
    assert set(waiting) == {"A", "B", "C"}
    assert snap["server_time"]


def test_board_keeps_only_the_last_five_calls_and_shows_a_closed_counter(
    commune, svc, open_counters, officer, issue, clock
):
    codes = [issue("A").code for _ in range(7)]
    counter = open_counters[1]
    for _ in range(6):
        ticket = services.call_next(counter=counter, officer=officer)
        services.start_service(ticket=ticket, counter=counter, officer=officer)
        services.finish_service(ticket=ticket, counter=counter, officer=officer)
    services.close_counter(counter=open_counters[2], officer=officer)

    snap = board(commune)

    assert [c["ticket"] for c in snap["calls"]] == list(reversed(codes[1:6]))
    assert snap["counters"][0]["ticket"] is None  # finished: nobody at counter 1 now
    assert snap["counters"][1]["is_open"] is False


def test_version_grows_with_every_call_and_recall(commune, open_counters, officer, issue):
    issue("A")
    issue("A")
    versions = [board(commune)["version"]]
    ticket = services.call_next(counter=open_counters[1], officer=officer)
    versions.append(board(commune)["version"])
    services.recall(ticket=ticket, counter=open_counters[1], officer=officer)
    versions.append(board(commune)["version"])
    services.call_next(counter=open_counters[2], officer=officer)
    versions.append(board(commune)["version"])
    assert versions == sorted(set(versions)), versions


def test_another_communes_calls_do_not_touch_this_board(
    commune, other_commune, open_counters, officer, issue, make_officer, clock
):
    issue("A")
    before = board(commune)
    from motcua.queueing.models import CounterAssignment, Service

    service = Service.objects.create(unit=other_commune, code="A", name="Hộ tịch")
    counter = Counter.objects.create(unit=other_commune, number=1, name="Quầy 1")
    CounterAssignment.objects.create(counter=counter).services.set([service])
    other_officer = make_officer(other_commune)
    services.open_counter(counter=counter, officer=other_officer)
    clock.advance(minutes=1)
    services.issue_ticket(
        unit=other_commune, service=service, source="kiosk", priority_reason="none"
    )
    services.call_next(counter=counter, officer=other_officer)

    after = board(commune)
    assert after["version"] == before["version"]
    assert after["calls"] == []


def test_the_board_page_opens_for_the_hall_without_login(client, commune, open_counters, issue):
    issue("A")
    response = client.get("/hang-doi/man-hinh/18073/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xã Thạch Hà" in html
    assert "Bật âm thanh" in html
    assert 'id="display-snapshot"' in html
    assert "<script>" not in html  # CSP: data only, the code is in display.js


@pytest.mark.django_db(transaction=True)  # the stream reads from a worker thread
def test_unknown_unit_board_stream_and_state_are_404(client, commune):
    assert client.get("/hang-doi/man-hinh/99999/").status_code == 404
    assert client.get("/hang-doi/man-hinh/99999/trang-thai.json").status_code == 404

    async def stream():
        return await AsyncClient().get("/hang-doi/man-hinh/99999/su-kien/")

    assert run_async(stream()).status_code == 404


def test_polling_answers_the_snapshot_then_204_until_something_changes(
    client, commune, open_counters, officer, issue
):
    issue("A")
    url = "/hang-doi/man-hinh/18073/trang-thai.json"
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-store"
    snap = first.json()
    same = client.get(url, {"since": snap["version"], "fp": snap["fingerprint"]})
    assert same.status_code == 204
    assert client.get(url, {"since": "abc"}).status_code == 200  # junk: the full snapshot
    ticket = services.call_next(counter=open_counters[1], officer=officer)
    changed = client.get(url, {"since": snap["version"], "fp": snap["fingerprint"]})
    assert changed.status_code == 200
    assert changed.json()["counters"][0]["ticket"] == ticket.code


def test_polling_sees_a_counter_closing_though_no_ticket_moved(
    client, commune, open_counters, officer, issue
):
    issue("A")
    url = "/hang-doi/man-hinh/18073/trang-thai.json"
    snap = client.get(url).json()
    services.close_counter(counter=open_counters[2], officer=officer)
    answer = client.get(url, {"since": snap["version"], "fp": snap["fingerprint"]})
    assert answer.status_code == 200
    assert answer.json()["counters"][1]["is_open"] is False


# --- the live stream -------------------------------------------------------------------------


async def next_chunk(gen, timeout=5.0) -> str:
    return await asyncio.wait_for(gen.__anext__(), timeout)


@pytest.mark.django_db(transaction=True)
def test_stream_sends_the_snapshot_at_once_and_again_right_after_a_call(
    commune, open_counters, officer, issue
):
    issue("A")

    async def scenario():
        # no heartbeat and no re-check within the test: only the publish can wake the stream
        gen = display.event_stream(
            commune.pk, last_event_id=None, heartbeat=30, lifetime=60, recheck=30
        )
        assert (await next_chunk(gen)).startswith("retry:")
        first = parse_events(await next_chunk(gen))[0]
        assert first["data"]["counters"][0]["ticket"] is None
        pending = asyncio.ensure_future(next_chunk(gen))
        await asyncio.sleep(0.05)  # the stream is now waiting for a change
        ticket = await sync_to_async(call_next_elsewhere, thread_sensitive=False)(
            counter=open_counters[1], officer=officer
        )
        event = parse_events(await asyncio.wait_for(pending, 5))[0]
        await gen.aclose()
        return first, event, ticket

    first, event, ticket = run_async(scenario())
    assert event["id"] > first["id"]
    assert event["data"]["counters"][0]["ticket"] == ticket.code
    assert event["data"]["calls"][0]["text"] == f"Mời công dân có số {ticket.code} đến quầy số 1"


@pytest.mark.django_db(transaction=True)
def test_a_reconnecting_board_gets_the_snapshot_only_if_it_missed_something(
    commune, open_counters, officer, issue
):
    issue("A")
    version = display.current_version(commune.pk)

    async def first_two(last_event_id):
        gen = display.event_stream(
            commune.pk, last_event_id=last_event_id, heartbeat=0.05, lifetime=5
        )
        chunks = [await next_chunk(gen), await next_chunk(gen)]
        await gen.aclose()
        return chunks

    up_to_date = run_async(first_two(version))
    assert up_to_date[1].startswith(":")  # only a heartbeat: it has this version already
    behind = run_async(first_two(version - 1))
    assert parse_events(behind[1])[0]["id"] == version


@pytest.mark.django_db(transaction=True)
def test_stream_sends_heartbeats_and_ends_so_the_board_reconnects(commune, open_counters):
    async def collect():
        return [
            chunk
            async for chunk in display.event_stream(
                commune.pk, last_event_id=None, heartbeat=0.05, lifetime=1.5
            )
        ]

    chunks = run_async(collect())
    assert len(parse_events("".join(chunks))) == 1
    assert sum(c.startswith(":") for c in chunks) >= 2


@pytest.mark.django_db(transaction=True)
def test_a_change_made_where_no_one_notifies_still_reaches_the_board(
    commune, open_counters, officer, issue
):
    """A shell or a worker without Redis: the periodic re-check finds the change."""
    issue("A")
    version = display.current_version(commune.pk)
    hub_notify = display.hub.notify
    display.hub.notify = lambda unit_id: None  # this process hears nothing
    try:

        async def wait():
            task = asyncio.ensure_future(
                display.wait_for_change(commune.pk, version, 5, recheck=0.1)
            )
            await asyncio.sleep(0.05)
            await sync_to_async(call_next_elsewhere, thread_sensitive=False)(
                counter=open_counters[1], officer=officer
            )
            return await task

        snap = run_async(wait())
    finally:
        display.hub.notify = hub_notify
    assert snap is not None and snap["version"] > version


@pytest.mark.django_db(transaction=True)
def test_the_threaded_stream_for_wsgi_servers_wakes_on_a_call(
    commune, open_counters, officer, issue
):
    issue("A")
    gen = display.event_stream_sync(commune.pk, last_event_id=None, heartbeat=5, lifetime=10)
    assert next(gen).startswith("retry:")
    first = parse_events(next(gen))[0]
    timer = threading.Timer(
        0.1, lambda: call_next_elsewhere(counter=open_counters[1], officer=officer)
    )
    timer.start()
    event = parse_events(next(gen))[0]
    timer.join()
    gen.close()
    assert event["id"] > first["id"]


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_endpoint_speaks_server_sent_events(
    settings, commune, open_counters, issue
):
    issue("A")
    settings.MOTCUA_DISPLAY_HEARTBEAT_SECONDS = 0.05
    settings.MOTCUA_DISPLAY_STREAM_SECONDS = 0.3

    async def get():
        response = await AsyncClient().get("/hang-doi/man-hinh/18073/su-kien/")
        body = "".join(
            [c.decode() if isinstance(c, bytes) else c async for c in response.streaming_content]
        )
        return response, body

    response, body = run_async(get())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"].startswith("no-cache")
    events = parse_events(body)
    assert events[0]["id"] == display.current_version(commune.pk)
    assert events[0]["data"]["unit"]["code"] == "18073"


@pytest.mark.django_db(transaction=True)
def test_boards_woken_together_share_one_read_until_the_next_change(
    commune, open_counters, officer, issue
):
    issue("A")
    first = display.snapshot_for(commune.pk)
    assert display.snapshot_for(commune.pk) is first  # the second board reads no database
    services.call_next(counter=open_counters[1], officer=officer)  # publishes on commit
    after = display.snapshot_for(commune.pk)
    assert after is not first
    assert after["version"] > first["version"]
