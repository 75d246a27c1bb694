"""Call-to-display latency: how long after "call next" every hall board and phone shows the number.

Issue 6 goal: p95 < 1 s with 500 connected display/phone clients. Three processes meet here:

- the app server: the real ASGI app under uvicorn (as `make run` starts it), one process, with
  REDIS_URL pointing at a private redis-server started for the run;
- the caller: this worker process, which calls `queueing.services.call_next` directly, like the
  officer's console on a second app server. The call's `publish` crosses to the board's server
  through Redis pub/sub, the path most boards take once there is more than one server process;
  it keeps login, TOTP and the console page out of what is measured;
- the clients: a subprocess (`--clients`) holding N server-sent-event streams on plain asyncio
  sockets (no HTTP library: the project has none for async, and a thin client adds the least
  of its own time). It stamps each chunk with CLOCK_MONOTONIC, which all processes share.

Per call, t0 is taken just before `call_next`; each client's sample is the moment the first
snapshot listing the new ticket among its calls reached that client. The baseline is the same
fan-out without Django: a bare ASGI app under uvicorn (`bare_app` below) whose one Redis
subscriber relays a ready-made snapshot of the same size to its N streams. Django and bare calls
alternate (the order swaps every round) so background load hits both alike.
`ratio = p95(app) / p95(bare)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    PROJECT_DIR,
    Benchmark,
    machine_line,
    make_row,
    register,
    summarize,
    worker_main,
)

GOAL_MS = 1000
BARE_CHANNEL = "bench:display:bare"
CLIENT_READY_TIMEOUT = 180.0
CALL_TIMEOUT = 15.0  # a client that has not shown the number by then counts as "not received"
LAST_RUN: dict = {}  # the raw timings of the last measure(), for whoever profiles a slow run


# --- small process helpers --------------------------------------------------------------------
def raise_fd_limit() -> int:
    """Soft limit of open files up to the hard limit: 500 streams per side need > 1024 sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {proc.returncode}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not ready after {timeout:.0f} s")


def http_status(port: int, path: str) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        return int(s.recv(64).split(b" ", 2)[1])


def stop_process(proc: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds: never leave a server behind."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


# --- the baseline server: bare ASGI, one Redis subscriber, no Django --------------------------
class BareFanout:
    """ASGI app: `/sse` streams, `/ready`; every message on BARE_CHANNEL goes to every stream.

    The floor under the real board: the same uvicorn, the same Redis hop, the same bytes per
    client, but no database read, no snapshot and no Django per stream.
    """

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue] = set()
        self.subscribed = False
        self.task: asyncio.Task | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            if scope["path"] == "/sse":
                await self._stream(receive, send)
            else:
                status = 200 if self.subscribed and scope["path"] == "/ready" else 404
                await send({"type": "http.response.start", "status": status, "headers": []})
                await send({"type": "http.response.body", "body": b""})

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.task = asyncio.create_task(self._subscribe(os.environ["BENCH_REDIS_URL"]))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.task is not None:
                    self.task.cancel()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _subscribe(self, url: str) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(BARE_CHANNEL)
        self.subscribed = True
        async for message in pubsub.listen():
            if message.get("type") == "message":
                for queue in list(self.queues):
                    queue.put_nowait(message["data"])

    async def _stream(self, receive, send) -> None:
        queue: asyncio.Queue = asyncio.Queue()
        self.queues.add(queue)

        async def watch_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            queue.put_nowait(None)

        watcher = asyncio.create_task(watch_disconnect())
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/event-stream; charset=utf-8"),
                        (b"cache-control", b"no-cache"),
                    ],
                }
            )
            first = b'retry: 3000\n\nevent: snapshot\ndata: {"calls":[]}\n\n'
            await send({"type": "http.response.body", "body": first, "more_body": True})
            while (body := await queue.get()) is not None:
                await send({"type": "http.response.body", "body": body, "more_body": True})
        finally:
            self.queues.discard(queue)
            watcher.cancel()


bare_app = BareFanout()


# --- the clients process ----------------------------------------------------------------------
class Stream:
    """One board/phone: an SSE connection that notes when each ticket first appeared."""

    def __init__(self, target: str, port: int, path: str) -> None:
        self.target, self.port, self.path = target, port, path
        self.seen: dict[str, float] = {}
        self.last_id = ""
        self.ready = asyncio.Event()
        self.reconnects = 0
        self.errors: list[str] = []

    def handle(self, event: bytes, at: float) -> None:
        for line in event.split(b"\n"):
            if line.startswith(b"id:"):
                self.last_id = line[3:].strip().decode()
            elif line.startswith(b"data:"):
                data = json.loads(line[5:])
                for call in data.get("calls", ()):
                    self.seen.setdefault(call["ticket"], at)
                self.ready.set()

    async def run(self) -> None:
        """Read the stream; reconnect (with Last-Event-ID, as EventSource does) when it ends."""
        while True:
            writer = None
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=2**20)
                head = (
                    f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                    "Accept: text/event-stream\r\nCache-Control: no-cache\r\n"
                )
                if self.last_id:
                    head += f"Last-Event-ID: {self.last_id}\r\n"
                writer.write((head + "\r\n").encode())
                status = await reader.readline()
                if b" 200 " not in status:
                    raise ValueError(f"HTTP status {status[:40]!r}")
                chunked = False
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    chunked |= line.lower().startswith(b"transfer-encoding: chunked")
                await self._read_events(reader, chunked)
            except asyncio.CancelledError:
                raise
            except (OSError, EOFError, ValueError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                await asyncio.sleep(0.5)
            finally:
                if writer is not None:
                    writer.close()
            self.reconnects += 1

    async def _read_events(self, reader: asyncio.StreamReader, chunked: bool) -> None:
        buffer = b""
        while True:
            if chunked:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    return
                data = (await reader.readexactly(size + 2))[:-2]
            else:
                data = await reader.read(65536)
                if not data:
                    return
            at = time.monotonic()  # the bytes are here: the board can draw them
            buffer += data
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                self.handle(event, at)


async def clients_main(config: dict) -> None:
    """Control over stdin/stdout: READY, then `WAIT target code` -> `DONE n`, `STOP` -> results."""
    raise_fd_limit()
    loop = asyncio.get_running_loop()
    streams = [
        Stream(target, int(spec["port"]), spec["path"])
        for target, spec in config["targets"].items()
        for _ in range(int(config["clients"]))
    ]
    tasks = [asyncio.create_task(s.run()) for s in streams]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*(s.ready.wait() for s in streams)), CLIENT_READY_TIMEOUT
        )
    print(f"READY {sum(s.ready.is_set() for s in streams)}", flush=True)
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
        if not line or line[0] == "STOP":
            break
        _, target, code = line
        mine = [s for s in streams if s.target == target]
        deadline = time.monotonic() + CALL_TIMEOUT
        while time.monotonic() < deadline and not all(code in s.seen for s in mine):
            await asyncio.sleep(0.005)
        print(f"DONE {sum(code in s.seen for s in mine)}", flush=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    result = {
        target: [s.seen for s in streams if s.target == target] for target in config["targets"]
    }
    result["reconnects"] = sum(s.reconnects - 1 for s in streams if s.reconnects)
    result["errors"] = sorted({e for s in streams for e in s.errors})[:5]
    print("RESULT " + json.dumps(result), flush=True)


# --- the measuring worker (Django side) -----------------------------------------------------
def seed_board(tickets: int) -> dict:
    """A commune, one service, one open counter, an officer and `tickets` waiting today."""
    from motcua.accounts.models import Role, StaffAssignment, User
    from motcua.core.models import Counter, Unit
    from motcua.queueing import services
    from motcua.queueing.models import CounterAssignment, Service

    province = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    commune = Unit.objects.create(
        code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE, parent=province
    )
    service = Service.objects.create(unit=commune, code="A", name="Hộ tịch", order=1)
    Service.objects.create(unit=commune, code="B", name="Chứng thực", order=2)
    counter = Counter.objects.create(unit=commune, number=1, name="Hộ tịch - Chứng thực")
    Counter.objects.create(unit=commune, number=2, name="Đất đai")
    CounterAssignment.objects.create(counter=counter).services.set([service])
    officer = User.objects.create_user(
        username="quay1", password="Mot-cua-2025!an-toan", full_name="Cán bộ Một"
    )
    StaffAssignment.objects.create(user=officer, unit=commune, role=Role.COUNTER_OFFICER)
    services.open_counter(counter=counter, officer=officer)
    # The bench runs at night and on Sundays too: the office-hours rule is not what it measures,
    # and the board shows today's tickets, so they are issued now with the rule lifted.
    hours_rule = services.is_open_for_tickets
    services.is_open_for_tickets = lambda unit, at: True
    try:
        for _ in range(tickets):
            services.issue_ticket(unit=commune, service=service, source="kiosk")
    finally:
        services.is_open_for_tickets = hours_rule
    return {"unit": commune, "counter": counter, "officer": officer}


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(cmd, env=env, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT)


def _uvicorn(app: str, port: int, *, lifespan: str) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", "--no-access-log", "--lifespan", lifespan,
        "--timeout-graceful-shutdown", "3",
    ]  # fmt: skip


class Servers(contextlib.ExitStack):
    """redis-server, the app, the bare fan-out and the clients: all stopped on exit, always."""

    def __init__(self, logs: Path) -> None:
        super().__init__()
        self.logs = logs

    def start(self, name: str, cmd: list[str], env: dict) -> subprocess.Popen:
        proc = _start(cmd, env, self.logs / f"{name}.log")
        self.callback(stop_process, proc)
        return proc


def start_redis(servers: Servers) -> str:
    """A private redis-server (other processes here publish on motcua:display:* too), else the
    one at BENCH_REDIS_URL (default the local 6379)."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.exceptions.RedisError as exc:
            raise RuntimeError(
                f"needs Redis: no redis-server to start and none at {url} ({exc})"
            ) from exc
        return url
    port = free_port()
    proc = servers.start(
        "redis",
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        dict(os.environ),
    )
    url = f"redis://127.0.0.1:{port}/0"
    wait_until(lambda: redis.Redis.from_url(url).ping(), 10, "redis-server", proc)
    return url


def bare_payload(snap: dict, code: str, number: int) -> bytes:
    """The board's real snapshot with `code` called first: same size and shape as the app's."""
    call = dict(snap["calls"][0]) if snap["calls"] else {"counter": 1}
    call.update({"id": number, "ticket": code})
    body = {**snap, "version": number, "calls": [call, *snap["calls"][:4]]}
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return f"id: {number}\nevent: snapshot\ndata: {data}\n\n".encode()


def measure(params: dict) -> list[dict]:
    import redis
    from django.conf import settings

    from bench.common import database_label
    from motcua.queueing import display, services

    clients, calls, gap = int(params["clients"]), int(params["calls"]), params["gap_ms"] / 1000
    fd_limit = raise_fd_limit()  # inherited by the servers and the clients
    logs = Path(tempfile.mkdtemp(prefix="motcua-display-bench-"))
    with Servers(logs) as servers:
        redis_url = start_redis(servers)
        env = dict(os.environ, REDIS_URL=redis_url, BENCH_REDIS_URL=redis_url)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_DIR / "src"), str(PROJECT_DIR), env.get("PYTHONPATH")) if p
        )
        app_port, bare_port = free_port(), free_port()
        app_cmd = _uvicorn("motcua.asgi:application", app_port, lifespan="off")
        bare_cmd = _uvicorn("bench.display_latency:bare_app", bare_port, lifespan="on")
        app, bare = servers.start("app", app_cmd, env), servers.start("bare", bare_cmd, env)
        board = seed_board(int(params["tickets"]))  # while the servers import
        unit, counter, officer = board["unit"], board["counter"], board["officer"]
        board_path = f"/hang-doi/man-hinh/{unit.code}/su-kien/"
        state_path = f"/hang-doi/man-hinh/{unit.code}/trang-thai.json"
        try:
            wait_until(lambda: http_status(app_port, state_path) == 200, 90, "app server", app)
            wait_until(lambda: http_status(bare_port, "/ready") == 200, 30, "bare server", bare)
        except RuntimeError as exc:
            logs_tail = _tail(logs / "app.log") + _tail(logs / "bare.log")
            raise RuntimeError(f"{exc}\n{logs_tail}") from exc

        settings.REDIS_URL = redis_url  # this process is "the other app server": publish via Redis
        publisher = redis.Redis.from_url(redis_url)
        config = {
            "clients": clients,
            "targets": {
                "app": {"port": app_port, "path": board_path},
                "bare": {"port": bare_port, "path": "/sse"},
            },
        }
        cmd = [sys.executable, str(Path(__file__).resolve()), "--clients", json.dumps(config)]
        with (logs / "clients.log").open("wb") as err:
            proc = subprocess.Popen(
                cmd, env=env, cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=err, text=True, bufsize=1,
            )  # fmt: skip
        servers.callback(stop_process, proc, 5)

        def ask(line: str) -> str:
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            return proc.stdout.readline().strip()

        ready_line = proc.stdout.readline().strip()
        connected = int(ready_line.split()[1]) if ready_line.startswith("READY") else 0
        if connected < 2 * clients:
            raise RuntimeError(
                f"only {connected} of {2 * clients} streams got their first snapshot "
                f"({ready_line!r})\n{_tail(logs / 'clients.log')}{_tail(logs / 'app.log')}"
            )
        t0: dict[str, dict[str, float]] = {"app": {}, "bare": {}}
        call_ms: list[float] = []
        previous = None

        def app_call() -> None:
            nonlocal previous
            if previous is not None:  # the officer finishes the last citizen (not timed)
                services.start_service(ticket=previous, counter=counter, officer=officer)
                services.finish_service(ticket=previous, counter=counter, officer=officer)
                time.sleep(gap)
            start = time.monotonic()
            ticket = services.call_next(counter=counter, officer=officer)
            call_ms.append((time.monotonic() - start) * 1000)
            if ticket is None:
                raise RuntimeError("the queue ran empty: raise -p tickets")
            t0["app"][ticket.code] = start
            ask(f"WAIT app {ticket.code}")
            previous = ticket

        def bare_call(i: int) -> None:
            code = f"Z{i + 1:03d}"
            payload = bare_payload(display.snapshot(unit), code, 10_000_000 + i)
            start = time.monotonic()
            publisher.publish(BARE_CHANNEL, payload)
            t0["bare"][code] = start
            ask(f"WAIT bare {code}")

        for i in range(calls):
            for side in ("app", "bare") if i % 2 == 0 else ("bare", "app"):
                app_call() if side == "app" else bare_call(i)
                time.sleep(gap)

        proc.stdin.write("STOP\n")
        proc.stdin.flush()
        result_line = proc.stdout.readline()
        if not result_line.startswith("RESULT "):
            raise RuntimeError(f"the clients gave no result\n{_tail(logs / 'clients.log')}")
        result = json.loads(result_line[len("RESULT ") :])
        proc.wait(30)
        publisher.close()
    shutil.rmtree(logs, ignore_errors=True)
    LAST_RUN.update(t0=t0, result=result, call_ms=call_ms)

    samples: dict[str, list[float]] = {}
    received: dict[str, int] = {}
    for side in ("app", "bare"):
        samples[side] = [
            (seen[code] - start) * 1000
            for code, start in t0[side].items()
            for seen in result[side]
            if code in seen
        ]
        received[side] = len(samples[side])
    expected = clients * calls
    app_stats, bare_stats = summarize(samples["app"]), summarize(samples["bare"])
    call_stats = summarize(call_ms)
    row = make_row(
        benchmark=BENCHMARK.name,
        database=database_label(),
        target=(
            f"{clients} SSE clients x {calls} calls; "
            f"received {100 * received['app'] / expected:.1f}%, max {app_stats['max']:.0f} ms"
        ),
        samples_ms=samples["app"],
        raw_samples_ms=samples["bare"],
        goal_ms=GOAL_MS,
        extra={
            "clients": clients,
            "calls": calls,
            "expected": expected,
            "received": received["app"],
            "bare_received": received["bare"],
            "bare_max": bare_stats["max"],
            "call_p50": call_stats["p50"],
            "call_p95": call_stats["p95"],
            "reconnects": result["reconnects"],
            "errors": result["errors"],
            "fd_limit": fd_limit,
        },
    )
    row["passed"] = row["passed"] and received["app"] == expected
    return [row]


def describe(rows: list[dict], info: dict) -> str:
    lines = [
        machine_line(info),
        "",
        "| database | clients x calls | received | p50 / p95 / max (ms) | bare Redis fan-out "
        "p50 / p95 / max (ms) | ratio (p95) | `call_next` p50 / p95 (ms) | goal | pass? |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {r['database']} | {r['clients']} x {r['calls']} "
        f"| {100 * r['received'] / r['expected']:.1f}% "
        f"| {r['p50']:.0f} / {r['p95']:.0f} / {r['max']:.0f} "
        f"| {r['raw_p50']:.0f} / {r['raw_p95']:.0f} / {r['bare_max']:.0f} "
        f"| {r['ratio']:.1f}x | {r['call_p50']:.1f} / {r['call_p95']:.1f} "
        f"| < {r['goal_ms']:g} ms | {'yes' if r['passed'] else 'NO'} |"
        for r in rows
    )
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="display_latency",
        title="Call-to-display latency",
        script=Path(__file__).resolve(),
        goal_ms=GOAL_MS,
        defaults={"clients": 500, "calls": 30, "tickets": 300, "gap_ms": 400},
        describe=describe,
    )
)

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--clients":
        asyncio.run(clients_main(json.loads(sys.argv[2])))
    else:
        worker_main(BENCHMARK, measure)
