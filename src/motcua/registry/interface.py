"""What a population registry answers, and the interface every backend implements.

`Person` is what the national population database (CSDL quốc gia về dân cư) returns for a
citizen ID, trimmed to what one-stop screens and e-forms use: identity, residence, and the
household with each member's relation to its head. Backends are chosen by the setting
MOTCUA_REGISTRY_BACKEND (docs/decisions/0027-population-registry-adapter.md): "local" (the
synthetic population in this database) or the dotted path of a class implementing
`PopulationRegistry` (a real adapter to the national database through the LGSP/NDXP).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol


class RegistryUnavailable(Exception):
    """The registry did not answer (down, timed out, refused us). Callers must handle it: the
    officer or citizen goes on by typing, and is told why."""


@dataclass(frozen=True)
class Relative:
    """A parent or spouse as the person's record names them (the ID may be unknown: "")."""

    citizen_id: str
    full_name: str


@dataclass(frozen=True)
class Member:
    """One person of the household, with their relation to the head ("Chủ hộ", "Vợ", "Con"...)."""

    citizen_id: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    relation: str
    father_id: str = ""
    mother_id: str = ""
    spouse_id: str = ""


@dataclass(frozen=True)
class Person:
    citizen_id: str
    full_name: str
    date_of_birth: dt.date
    sex: str  # "male" / "female"
    ethnicity: str
    hometown: str  # quê quán
    permanent_residence: str  # nơi thường trú
    current_residence: str  # nơi ở hiện tại
    village: str  # thôn / tổ dân phố of the permanent residence
    unit_code: str  # the commune or ward of the permanent residence
    relation: str = ""  # this person's relation to the head of their household
    household_code: str = ""
    household: tuple[Member, ...] = field(default_factory=tuple)
    father: Relative | None = None
    mother: Relative | None = None
    spouse: Relative | None = None

    @property
    def sex_label(self) -> str:
        return "Nam" if self.sex == "male" else "Nữ"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def member(self, citizen_id: str) -> Member | None:
        return next((m for m in self.household if m.citizen_id == citizen_id), None)

    @property
    def head(self) -> Member | None:
        return next((m for m in self.household if m.relation == "Chủ hộ"), None)

    @property
    def children(self) -> tuple[Member, ...]:
        """This person's children living in the same household, eldest first."""
        mine = (
            m
            for m in self.household
            if self.citizen_id and self.citizen_id in (m.father_id, m.mother_id)
        )
        return tuple(sorted(mine, key=lambda m: m.date_of_birth))

    def father_of(self, citizen_id: str) -> Member | None:
        """The father of a household member, if he lives in the household too."""
        child = self.member(citizen_id)
        return self.member(child.father_id) if child and child.father_id else None

    def mother_of(self, citizen_id: str) -> Member | None:
        """The mother of a household member, if she lives in the household too."""
        child = self.member(citizen_id)
        return self.member(child.mother_id) if child and child.mother_id else None


class PopulationRegistry(Protocol):
    """One method: the person with this 12-digit citizen ID, None if there is none.

    Raises RegistryUnavailable when the registry cannot answer. Implementations do not
    audit or rate-limit: `registry.services.lookup` does that for every backend.
    """

    name: str

    def find(self, citizen_id: str) -> Person | None: ...
