"""Hall display board: the page, its live stream (SSE), the polling fallback, the audio.

Public, like the kiosk: a board shows only ticket numbers and counters, no personal data.
Thin views over `display` (snapshot, stream) and `announce` (text, audio).
"""

import logging
import re

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core.models import Counter

from . import announce, display, selectors
from .models import Ticket

log = logging.getLogger(__name__)

AUDIO_NAME = re.compile(r"^(?P<code>[A-Z][0-9]{3,4})-(?P<counter>[1-9][0-9]{0,2})$")
_EVENT_ID = re.compile(r"^[0-9]{1,18}$")


def heartbeat_seconds() -> float:
    return settings.MOTCUA_DISPLAY_HEARTBEAT_SECONDS


def stream_seconds() -> float:
    """A stream ends after this; the browser reconnects (servers don't pile up connections)."""
    return settings.MOTCUA_DISPLAY_STREAM_SECONDS


def _unit_or_404(unit_code: str):
    unit = selectors.kiosk_unit(unit_code)
    if unit is None:
        raise Http404
    return unit


@require_GET
def board(request, unit_code: str):
    """Màn hình hiển thị: the page for the hall TV; display.js keeps it live."""
    unit = _unit_or_404(unit_code)
    return render(
        request,
        "queueing/display.html",
        {"unit": unit, "snap": display.snapshot(unit), "labels": _labels()},
    )


def _labels() -> dict[str, str]:
    """Words display.js writes on the board (translated here: the script has no gettext)."""
    return {
        "counter": _("Quầy"),
        "closed": _("Tạm nghỉ"),
        "idle": _("Chưa gọi số"),
        "online": _("Trực tuyến"),
        "polling": _("Cập nhật định kỳ"),
        "offline": _("Mất kết nối, đang thử lại…"),
        "soundOn": _("Âm thanh: bật"),
        "voiceServer": _("Âm thanh: bật (giọng đọc máy chủ)"),
        "noCalls": _("Chưa có lượt gọi nào hôm nay."),
    }


@require_GET
def state(request, unit_code: str):
    """Polling fallback: the snapshot, or 204 when the client's `since` version is current.

    From the cache (`display.cached_snapshot`): hundreds of boards and phones poll this."""
    unit_id = display.board_unit_id(unit_code)
    snap = display.cached_snapshot(unit_id) if unit_id is not None else None
    if snap is None:
        raise Http404
    since = request.GET.get("since", "")
    fp = request.GET.get("fp", "")
    current = _EVENT_ID.match(since) and int(since) == snap["version"]
    if current and (not fp or fp == snap["fingerprint"]):
        response = HttpResponse(status=204)
        response["Cache-Control"] = "no-store"
        return response
    response = JsonResponse(snap, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _last_event_id(request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("lastEventId", "")
    return int(raw) if _EVENT_ID.match(raw.strip()) else None


async def events(request, unit_code: str):
    """Server-sent events: the full snapshot with `id: <version>` at once and on each change."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    unit_id = await sync_to_async(display.active_unit_id, thread_sensitive=False)(unit_code)
    if unit_id is None:
        raise Http404
    # Under ASGI (uvicorn) an async generator: no thread held while a board waits. Under WSGI
    # Django would buffer an async generator until it ends, so it gets the threaded twin.
    stream = display.event_stream if isinstance(request, ASGIRequest) else display.event_stream_sync
    response = StreamingHttpResponse(
        stream(
            unit_id,
            last_event_id=_last_event_id(request),
            heartbeat=heartbeat_seconds(),
            lifetime=stream_seconds(),
        ),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response


@require_GET
def audio(request, unit_code: str, name: str):
    """WAV of one call ("A012-3"), for TV boxes without a Vietnamese voice.

    Only real tickets and counters of the unit are spoken, so the cache cannot be filled
    with arbitrary text. 503 (never 500) when the server has no espeak-ng.
    """
    match = AUDIO_NAME.match(name)
    if match is None:
        raise Http404
    unit = _unit_or_404(unit_code)
    code, number = match["code"], int(match["counter"])
    if not (
        Counter.objects.filter(unit=unit, number=number, is_active=True).exists()
        and Ticket.objects.filter(unit=unit, code=code).exists()
    ):
        raise Http404
    try:
        data = announce.announcement_audio(announce.spoken_text(code, number))
    except announce.AnnouncementUnavailable as exc:
        log.warning("display audio unavailable: %s", exc)
        response = HttpResponse(
            _("Máy chủ chưa có bộ đọc tiếng Việt (espeak-ng): màn hình chỉ hiện chữ."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "3600"
        return response
    response = HttpResponse(data, content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def chime(request):
    """The "ding-dong" played before every call."""
    response = HttpResponse(announce.chime(), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=604800"
    return response
