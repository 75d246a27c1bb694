"""The CSC simulator mounted at /csc-sim/ for `make run` (MOTCUA_CSC_SIMULATOR, never in
production): one simulator per process, its keys in memory (a restart issues new ones).

The demo residents (registry/data/fixed_residents.json) get a credential on first use, PIN
MOTCUA_CSC_SIMULATOR_PIN (default 123456). The view is async: the adapter calls it from a sync
view of the same server, which under ASGI holds the one thread sync views share.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from .csc_simulator import CSCSimulator

RESIDENTS = Path(__file__).resolve().parent.parent / "registry" / "data" / "fixed_residents.json"


@functools.cache
def mounted() -> CSCSimulator:
    simulator = CSCSimulator()
    pin = settings.MOTCUA_CSC_SIMULATOR_PIN
    try:
        households = json.loads(RESIDENTS.read_text(encoding="utf-8"))["households"]
    except (OSError, ValueError, KeyError):
        households = []
    for household in households:
        for member in household.get("members", []):
            if member.get("citizen_id") and member.get("full_name"):
                simulator.enrol_on_demand[member["citizen_id"]] = (member["full_name"], pin)
    return simulator


@csrf_exempt
async def endpoint(request, path: str):
    if request.method != "POST":
        return HttpResponse(status=405)
    headers = {k.lower(): v for k, v in request.headers.items()}
    base = request.build_absolute_uri("/csc-sim").rstrip("/")
    status, answer = await sync_to_async(mounted().handle, thread_sensitive=False)(
        "/" + path, headers, request.body, base
    )
    return HttpResponse(json.dumps(answer), status=status, content_type="application/json")


urlpatterns = [re_path(r"^(?P<path>.+)$", endpoint, name="csc_simulator")]
