"""The two demo residents who can sign in (the development identity provider, decision 0026)
get dossiers of their own in the illustrative history, so "Hồ sơ của tôi" shows something to
try after `make run`: Nguyễn Thị Lan a returned result (signed for real afterwards by
`signed_results`, so she downloads a result that verifies) and a dossier awaiting her
supplement; Trần Văn Hùng a dossier in processing.

The history's dossiers are generated with invented applicants; these few are handed to the
residents before the results are signed (the signed PDF carries the applicant's name). Only
when demo logins are allowed; recorded in the audit log; idempotent.
"""

from __future__ import annotations

import json
from pathlib import Path

from motcua.core import audit
from motcua.core.models import Unit
from motcua.dossiers.models import ApplicantKind, Dossier, Status

from . import signed_results

FIXED = Path(__file__).resolve().parents[1] / "registry" / "data" / "fixed_residents.json"
# (resident key, status of the dossier they get, needs a signed placeholder result)
WANTED = (
    ("lan", Status.RETURNED, True),
    ("lan", Status.AWAITING_SUPPLEMENT, False),
    ("hung", Status.PROCESSING, False),
)


def _people() -> dict[str, dict]:
    data = json.loads(FIXED.read_text(encoding="utf-8"))
    return {
        m["key"]: {**m, "address": h["address"]} for h in data["households"] for m in h["members"]
    }


def give_dossiers(*, unit: Unit) -> int:
    """Hand a few of the unit's history dossiers to the demo residents (0 if already done)."""
    people = _people()
    ids = [people[key]["citizen_id"] for key, _s, _r in WANTED]
    if Dossier.objects.filter(applicant_id_number__in=ids).exists():
        return 0
    given = 0
    for key, status, with_result in WANTED:
        person = people[key]
        if with_result:  # the newest of the results `signed_results` is about to sign
            first = next(iter(signed_results.candidates(unit, 1)), None)
            dossier = first.dossier if first is not None else None
        else:
            dossier = (
                Dossier.objects.filter(
                    receiving_unit=unit,
                    competent_unit=unit,
                    status=status,
                    applicant_kind=ApplicantKind.CITIZEN,
                )
                .exclude(applicant_id_number__in=ids)
                .order_by("-submitted_at", "-pk")
                .first()
            )
        if dossier is None:
            continue
        dossier.applicant_name = person["full_name"]
        dossier.applicant_id_number = person["citizen_id"]
        dossier.applicant_address = person["address"]
        dossier.save(update_fields=["applicant_name", "applicant_id_number", "applicant_address"])
        audit.record(
            action="demo.give_dossier_to_resident",
            obj=dossier,
            unit=unit,
            changes={"applicant": ["(minh họa)", f"cư dân mẫu {key}"]},
        )
        given += 1
    return given
