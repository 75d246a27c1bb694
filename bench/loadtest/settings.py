"""The production settings, with the queue open around the clock for `make loadtest`.

A load test runs whenever someone runs it; the kiosk, the remote tickets and the counters
refuse outside office hours, which would turn the queue half of the mix into refusals at night.
Everything else is motcua.settings as a province runs it (DEBUG off, pool, Redis).
"""

import os

from motcua.settings import *  # noqa: F403

MOTCUA_OFFICE_HOURS = (("00:00", "12:00"), ("12:00", "23:59"))
MOTCUA_RECEPTION_CUTOFF = "23:59"

# One run's cache entries and queued jobs apart from any other's in the same Redis (an earlier
# run's cached pages would otherwise be served for this run's fresh database).
RUN = os.environ.get("LOADTEST_RUN", "")
if RUN:
    CACHES["default"]["KEY_PREFIX"] = f"loadtest-{RUN}"  # noqa: F405
    HUEY = {**HUEY, "name": f"motcua-loadtest-{RUN}"}  # noqa: F405
