"""The procedure page's "Nộp trực tuyến" (registered with catalog.actions), only where the
procedure is published for online filing (toàn trình or một phần) and has a declaration."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.catalog.actions import Action

from . import services


def procedure_actions(procedure) -> list[Action]:
    if not services.files_online(procedure):
        return []
    return [Action("online", _("Nộp trực tuyến"), reverse("filing:start", args=[procedure.pk]))]
