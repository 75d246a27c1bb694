"""Registry backends: the local synthetic population, and how the setting picks one."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .interface import Member, PopulationRegistry, RegistryUnavailable, Relative
from .interface import Person as Person
from .models import Resident


def _relative(citizen_id: str, name: str) -> Relative | None:
    return Relative(citizen_id=citizen_id, full_name=name) if (citizen_id or name) else None


class LocalRegistry:
    """The population generated into this database (`manage.py generate_population`).

    MOTCUA_REGISTRY_DOWN=1 makes it answer as an unreachable national database would
    (RegistryUnavailable), so the screens' "registry down" path can be shown and tested.
    """

    name = "local"

    def find(self, citizen_id: str) -> Person | None:
        if settings.MOTCUA_REGISTRY_DOWN:
            raise RegistryUnavailable("MOTCUA_REGISTRY_DOWN is set")
        row = (
            Resident.objects.select_related("unit", "village", "household")
            .filter(citizen_id=citizen_id)
            .first()
        )
        if row is None:
            return None
        members = tuple(
            Member(
                citizen_id=m.citizen_id,
                full_name=m.full_name,
                date_of_birth=m.date_of_birth,
                sex=m.sex,
                relation=m.relation,
                father_id=m.father_id,
                mother_id=m.mother_id,
                spouse_id=m.spouse_id,
            )
            for m in Resident.objects.filter(household_id=row.household_id).order_by(
                "position", "id"
            )
        )
        return Person(
            citizen_id=row.citizen_id,
            full_name=row.full_name,
            date_of_birth=row.date_of_birth,
            sex=row.sex,
            ethnicity=row.ethnicity,
            hometown=row.hometown,
            permanent_residence=row.permanent_residence,
            current_residence=row.current_residence,
            village=row.village.name if row.village else "",
            unit_code=row.unit.code,
            relation=row.relation,
            household_code=row.household.code,
            household=members,
            father=_relative(row.father_id, row.father_name),
            mother=_relative(row.mother_id, row.mother_name),
            spouse=_relative(row.spouse_id, row.spouse_name),
        )


BACKENDS = {"local": LocalRegistry}


def get_backend() -> PopulationRegistry:
    """The backend MOTCUA_REGISTRY_BACKEND names: "local" or a dotted class path."""
    name = settings.MOTCUA_REGISTRY_BACKEND or "local"
    cls = BACKENDS.get(name) or import_string(name)
    return cls()
