"""The province's day as locust users: staff at worklists, dossiers, counters and reception;
citizens searching the catalog, reading procedures, using the queue app, tracking a dossier; hall
boards polling and streaming. Run by bench/loadtest/run.py (`make loadtest`), which seeds the
data this file reads from LOADTEST_DATA (ids, codes, logins) and checks the results.

Think times are what people do: a citizen reads a page for seconds, an officer calls the next
number every few seconds, a board polls every 3 s or holds one stream.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import socket
import time
from html.parser import HTMLParser

from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from requests.cookies import create_cookie

# The mix of 400 users (weights below): 46 staff (30 specialists and leaders, 10 counter
# officers, 6 at reception), who work on a page for seconds; 354 citizens and boards (160
# reading the catalog, 60 on the queue app, 30 tracking, 8 at the kiosk, 56 boards polling,
# 40 boards streaming). Citizens' think times are short, so that 400 users offer about 350
# req/s, a little over issue 11's goal; real people read longer, so these 400 stand for more.
# LOADTEST_THINK scales every think time (the boards' 3 s interval is the board's, not scaled).
THINK = float(os.environ.get("LOADTEST_THINK", "1.0"))


def think(low: float, high: float):
    return between(low * THINK, high * THINK)


# LOADTEST_TRIVIAL=1: every request of every user (streams aside) becomes this one, the
# denominator of the mix's ratio: one SELECT 1 and a cache read, through the whole stack.
TRIVIAL = os.environ.get("LOADTEST_TRIVIAL") == "1"
TRIVIAL_URL = "/healthz?probe=web"

DATA = json.loads(open(os.environ["LOADTEST_DATA"], encoding="utf-8").read())  # noqa: SIM115
SEARCHES = DATA["searches"]
PASSWORD = DATA["password"]


class FormFields(HTMLParser):
    """The fields of the page's form with `action`: what a person leaves as is or ticks."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields, self.selects = action, False, {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("action") or "") == self.action and a.get("method") == "post"
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if kind == "checkbox" or "checked" in a or name not in self.fields:
                    self.fields.setdefault(name, a.get("value", "on"))
            elif kind != "file":
                self.fields.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self.selects = name
        elif tag == "option" and self.selects and a.get("value"):
            self.fields.setdefault(self.selects, a["value"])
        elif tag == "textarea" and name:
            self.fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.selects = None


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


class Visitor(FastHttpUser):
    abstract = True

    def on_start(self):
        """Each simulated person has an address of their own (2001:db8::/32 is the
        documentation range: a header only, nothing is sent there), which HAProxy passes on
        in X-Forwarded-For, so per-address rate limits see 400 people, not one."""
        self.new_address()
        request = self.client.request

        def with_address(method, url, headers=None, **kwargs):
            if TRIVIAL:  # the same people at the same pace, each asking for a trivial page
                method, url = "GET", TRIVIAL_URL
                kwargs.pop("data", None)
            return request(
                method, url, headers={**(headers or {}), "X-Forwarded-For": self.address}, **kwargs
            )

        self.client.request = with_address

    def new_address(self) -> None:
        self.address = f"2001:db8::{random.randint(1, 0xFFFF):x}:{random.randint(1, 0xFFFF):x}"

    def csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def post_form(self, url: str, data: dict, name: str | None = None):
        return self.client.post(
            url,
            data=data,
            headers={"X-CSRFToken": self.csrf(), "Referer": self.host + url},
            name=name or url,
        )


class Staff(Visitor):
    abstract = True
    logins: list[str] = []

    def on_start(self):
        """Signed in already (a session made by seed.py), as staff are during the day; one
        in ten signs in through the login form, so that path is in the mix too."""
        super().on_start()
        self.username = random.choice(self.logins)
        if random.random() < 0.1:
            self.client.get("/can-bo/dang-nhap/", name="login page")
            self.post_form(
                "/can-bo/dang-nhap/",
                {"username": self.username, "password": PASSWORD, "next": "/can-bo/"},
                name="login",
            )
        else:
            host = self.host.split("//", 1)[1].split(":")[0]
            self.client.cookiejar.set_cookie(
                create_cookie(
                    "sessionid", random.choice(DATA["sessions"][self.username]), domain=host
                )
            )

    def page(self, url: str, name: str):
        """A staff page; being sent to the login page instead is a failure, not a 200."""
        with self.client.get(url, name=name, catch_response=True) as r:
            if "/dang-nhap/" in (r.url or "") or 'name="password"' in (r.text or ""):
                r.failure("not signed in")


# --- staff ---------------------------------------------------------------------------------------


class Specialist(Staff):
    """A specialist or leader: worklist tabs, a dossier page, back to the list."""

    weight = 30
    wait_time = think(5, 15)
    logins = DATA["specialists"]

    @task(3)
    def worklist(self):
        tab = random.choice(DATA["worklist_tabs"])
        self.page(f"/can-bo/ho-so/{tab}", "/can-bo/ho-so/ (worklist)")

    @task(2)
    def dossier(self):
        pk = random.choice(DATA["dossier_ids"])
        self.page(f"/can-bo/ho-so/{pk}/", "/can-bo/ho-so/<pk>/ (dossier)")


class CounterOfficer(Staff):
    """At a queue counter: the console, and the next number called every few seconds."""

    weight = 10
    wait_time = think(3, 6)

    def on_start(self):
        counter = random.choice(DATA["counters"])
        self.logins = [counter["officer"]]
        self.counter = counter["id"]
        super().on_start()
        self.console()  # the page first: it sets the CSRF cookie the buttons post with

    @task(2)
    def console(self):
        self.page(f"/can-bo/quay/{self.counter}/", "/can-bo/quay/<pk>/ (console)")

    @task(1)
    def call_next(self):
        self.post_form(
            f"/can-bo/quay/{self.counter}/goi-tiep/",
            {},
            name="/can-bo/quay/<pk>/goi-tiep/ (call)",
        )


class ReceptionOfficer(Staff):
    """At the one-stop counter: opens the reception form and receives a dossier."""

    weight = 6
    wait_time = think(10, 20)
    logins = DATA["receivers"]

    @task
    def receive(self):
        pk = random.choice(DATA["reception_procedures"])
        url = "/can-bo/mot-cua/tiep-nhan/"
        page = self.client.get(f"{url}?thu_tuc={pk}", name=f"{url}?thu_tuc= (form)")
        if page.status_code != 200:
            return  # no form to fill (counted as that request's failure)
        fields = form_fields(page.text or "", "")
        fields.update(
            procedure=str(pk),
            applicant_name="Nguyễn Văn Thử",
            applicant_id_number=f"0{random.randint(10**10, 10**11 - 1)}",
            applicant_phone=f"09{random.randint(10**7, 10**8 - 1)}",
            applicant_address="Thôn 1, xã Vĩnh Bảo",
            applicant_email="",
            refusal_reason="",
        )
        fields.pop("action", None)
        self.post_form(url, fields, name=f"{url} (receive)")


# --- citizens ------------------------------------------------------------------------------------


class CatalogReader(Visitor):
    """Searches the catalog without diacritics, opens a procedure, reads it."""

    weight = 160
    wait_time = think(0.3, 0.9)

    @task(3)
    def search(self):
        self.client.get(f"/thu-tuc/?q={random.choice(SEARCHES)}", name="/thu-tuc/?q= (search)")

    @task(2)
    def procedure(self):
        pk = random.choice(DATA["procedure_ids"])
        self.client.get(f"/thu-tuc/{pk}/", name="/thu-tuc/<pk>/ (procedure)")


class KioskCitizen(Visitor):
    """Takes a number at the hall kiosk (a new ticket every few seconds across the hall)."""

    weight = 8
    wait_time = think(3, 6)

    @task
    def take_a_number(self):
        unit = random.choice(DATA["queue_units"])
        url = f"/hang-doi/kiosk/{unit['code']}/"
        self.client.get(url, name="/hang-doi/kiosk/<unit>/")
        self.post_form(
            url,
            {
                "service": random.choice(unit["services"]),
                "priority_reason": "none",
                "key": secrets.token_urlsafe(18),
            },
            name="/hang-doi/kiosk/<unit>/ (ticket)",
        )


class QueueAppCitizen(Visitor):
    """The queue app on a phone: the unit's page, a ticket page and its live state."""

    weight = 60
    wait_time = think(0.5, 1.5)

    @task(1)
    def home(self):
        unit = random.choice(DATA["queue_units"])
        self.client.get(f"/hang-doi/{unit['code']}/", name="/hang-doi/<unit>/ (queue app)")

    @task(3)
    def ticket_state(self):
        token = random.choice(DATA["ticket_tokens"])
        self.client.get(f"/hang-doi/ve/{token}/trang-thai.json", name="/hang-doi/ve/<t>/state")


class Tracker(Visitor):
    """Tracks a dossier with its code and the last 4 digits of the phone given at reception."""

    weight = 30
    wait_time = think(1, 2)

    @task
    def track(self):
        self.new_address()  # each lookup is another citizen (10 lookups per address per 10 min)
        self.client.get("/tra-cuu/", name="/tra-cuu/ (form)")
        code, phone = random.choice(DATA["tracking"])
        self.post_form("/tra-cuu/", {"ma": code, "so": phone[-4:]}, name="/tra-cuu/ (track)")


class BoardPoller(Visitor):
    """A hall board without server-sent events: the state every 3 s (204 when unchanged)."""

    weight = 56
    wait_time = constant(3)

    def on_start(self):
        super().on_start()
        self.unit = random.choice(DATA["queue_units"])["code"]
        self.since = None

    @task
    def poll(self):
        params = f"?since={self.since[0]}&fp={self.since[1]}" if self.since else ""
        with self.client.get(
            f"/hang-doi/man-hinh/{self.unit}/trang-thai.json{params}",
            name="/hang-doi/man-hinh/<unit>/trang-thai.json (poll)",
            catch_response=True,
        ) as r:
            if r.status_code == 200:
                snap = r.json()
                self.since = (snap["version"], snap["fingerprint"])
                r.success()
            elif r.status_code == 204:
                r.success()


# --- boards on the live stream ---------------------------------------------------------------

STREAM_PATH = "/hang-doi/man-hinh/{unit}/su-kien/"


class BoardStream(Visitor):
    """A hall board on server-sent events, reconnecting as EventSource does (after `retry`,
    with Last-Event-ID) when the stream ends or breaks. Each connect that delivers its first
    message (a snapshot, or a heartbeat when it is current) is one "SSE connect" request in the
    stats, timed to that message; a connect that fails is an error. The reading itself is not
    a request."""

    weight = 40
    wait_time = constant(0)

    def on_start(self):
        self.unit = random.choice(DATA["queue_units"])["code"]
        self.last_id = None
        host = self.host.split("//", 1)[1]
        self.addr = (host.split(":")[0], int(host.split(":")[1]))
        self.deadline = float(os.environ.get("LOADTEST_END_AT", "0"))

    @task
    def stream(self):
        path = STREAM_PATH.format(unit=self.unit)
        start = time.perf_counter()
        first = None
        error = None
        sock = None
        try:
            sock = socket.create_connection(self.addr, timeout=20)
            headers = (
                f"GET {path} HTTP/1.1\r\nHost: {self.addr[0]}\r\nAccept: text/event-stream\r\n"
            )
            if self.last_id is not None:
                headers += f"Last-Event-ID: {self.last_id}\r\n"
            sock.sendall((headers + "\r\n").encode())
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = sock.recv(4096)
                if not chunk:
                    raise ConnectionError("closed before the headers")
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            status = int(head.split(b" ", 2)[1])
            if status != 200:
                raise ConnectionError(f"HTTP {status}")
            while True:
                if self.deadline and time.time() > self.deadline:
                    break
                for m in re.finditer(rb"(?m)^id: (\d+)$", buf):
                    self.last_id = int(m.group(1))
                if first is None and (b"event: snapshot" in buf or b"\n: " in buf):
                    first = time.perf_counter()
                    events.request.fire(
                        request_type="SSE",
                        name="SSE connect (first message)",
                        response_time=(first - start) * 1000,
                        response_length=len(buf),
                        exception=None,
                        context={},
                    )
                buf = buf[-2000:]
                chunk = sock.recv(65536)
                if not chunk:
                    # the server ended the stream: its lifetime (5 min, longer than a phase)
                    # or a crash; reconnect below either way
                    error = ConnectionError("stream ended")
                    break
                buf += chunk
        except (OSError, ConnectionError, ValueError) as exc:
            error = exc
        finally:
            if sock is not None:
                sock.close()
        if first is None:
            events.request.fire(
                request_type="SSE",
                name="SSE connect (first message)",
                response_time=(time.perf_counter() - start) * 1000,
                response_length=0,
                exception=error or ConnectionError("no message"),
                context={},
            )
        elif error is not None:
            events.request.fire(
                request_type="SSE",
                name="SSE stream cut (reconnecting)",
                response_time=0,
                response_length=0,
                exception=None,
                context={},
            )
        time.sleep(3.0)  # the `retry: 3000` the stream asked for
