"""Payment tests build on the dossier tests' world (a province, two communes, staff)."""

from tests.dossiers.conftest import _media_in_tmp, shipped_calendar, world  # noqa: F401
