"""Reports read the queue: reuse its commune, services, counters, clock and staff fixtures."""

from tests.queueing.conftest import *  # noqa: F403
from tests.queueing.conftest import MODEL_BACKEND  # noqa: F401
