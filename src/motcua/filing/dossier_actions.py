""" "Ký tờ khai" on the citizen's dossier page (registered with citizens.dossier_actions): only
for the citizen who filed it online, while it waits for reception or for their supplement, and
its declaration is not signed yet (decisions/0040)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.citizens.dossier_actions import Action

from . import signing


def dossier_actions(user, dossier) -> list[Action]:
    if dossier.channel != "online" or dossier.status not in signing.SIGNABLE_STATUSES:
        return []  # most dossiers: no query
    if signing.filed_state_for(user, dossier.code) != signing.FiledSigning.SIGNABLE:
        return []
    return [
        Action(
            "sign-declaration",
            _("Ký số tờ khai"),
            reverse("filing:sign_filed", args=[dossier.code]),
            _("Tờ khai đã nộp chưa có chữ ký số của bạn."),
        )
    ]
