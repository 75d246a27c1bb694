"""`registry.lookup`: found, not found, registry down; every lookup logged and audited, the
audit chain never holding the full citizen ID; the backend chosen by setting."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from motcua.core.models import AuditEvent
from motcua.registry import lookup, services
from motcua.registry.interface import Person, RegistryUnavailable
from motcua.registry.models import Outcome, RegistryLookup

from .conftest import HUNG, LAN, MINH

pytestmark = pytest.mark.django_db


def test_a_found_person_comes_with_residence_and_household(people, officer, vinh_bao):
    lan = lookup(LAN, actor=officer, purpose="reception", unit=vinh_bao)
    assert isinstance(lan, Person)
    assert (lan.full_name, lan.date_of_birth, lan.sex_label) == (
        "Nguyễn Thị Lan",
        dt.date(1990, 3, 14),
        "Nữ",
    )
    assert lan.permanent_residence == "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng"
    assert (lan.village, lan.unit_code, lan.ethnicity, lan.relation) == (
        "Tổ dân phố 1",
        "11824",
        "Kinh",
        "Vợ",
    )
    assert lan.spouse.citizen_id == MINH and lan.spouse.full_name == "Phạm Văn Minh"
    assert lan.head.full_name == "Phạm Văn Minh"
    (daughter,) = lan.children
    assert daughter.full_name == "Phạm Thị Mai An" and daughter.relation == "Con"
    assert lan.father_of(daughter.citizen_id).full_name == "Phạm Văn Minh"
    assert lan.mother_of(daughter.citizen_id).full_name == "Nguyễn Thị Lan"
    assert lan.father_of(LAN) is None  # her parents do not live in this household
    assert lan.age_on(dt.date(2026, 12, 6)) == 36


def test_every_lookup_is_logged_and_audited_without_the_full_id_in_the_chain(
    people, officer, vinh_bao
):
    lookup(HUNG, actor=officer, purpose="reception", unit=vinh_bao)
    assert lookup("031 099 000 000", actor=officer, purpose="eform_prefill", unit=vinh_bao) is None
    found, missing = RegistryLookup.objects.order_by("id")
    assert (found.citizen_id, found.outcome, found.purpose, found.actor, found.unit) == (
        HUNG,
        Outcome.FOUND,
        "reception",
        officer,
        vinh_bao,
    )
    assert (missing.citizen_id, missing.outcome, missing.purpose) == (
        "031099000000",
        Outcome.NOT_FOUND,
        "eform_prefill",
    )
    events = list(AuditEvent.objects.filter(action="registry.lookup").order_by("id"))
    assert [(e.object_id, e.unit_id, e.actor_id) for e in events] == [
        (str(found.pk), vinh_bao.pk, officer.pk),
        (str(missing.pk), vinh_bao.pk, officer.pk),
    ]
    assert events[0].changes == {"purpose": "reception", "outcome": "found", "citizen_id": "…7890"}
    assert HUNG not in str(events[0].changes) and HUNG not in events[0].object_repr


def test_a_registry_that_is_down_raises_and_the_attempt_is_logged(
    people, officer, vinh_bao, settings
):
    settings.MOTCUA_REGISTRY_DOWN = True
    with pytest.raises(RegistryUnavailable):
        lookup(LAN, actor=officer, purpose="reception", unit=vinh_bao)
    row = RegistryLookup.objects.get()
    assert row.outcome == Outcome.UNAVAILABLE and row.citizen_id == LAN


def test_a_malformed_id_is_refused_in_vietnamese_and_not_logged(people, officer, vinh_bao):
    with pytest.raises(ValidationError) as refused:
        lookup("0311900", actor=officer, purpose="reception", unit=vinh_bao)
    assert "12 chữ số" in refused.value.messages[0]
    with pytest.raises(ValueError):
        lookup(LAN, actor=officer, purpose="curiosity", unit=vinh_bao)
    assert not RegistryLookup.objects.exists()


class EmptyRegistry:
    """A backend outside the app: the setting names it by dotted path."""

    name = "empty"

    def find(self, citizen_id):
        return None


def test_the_backend_is_chosen_by_setting(people, officer, vinh_bao, settings):
    settings.MOTCUA_REGISTRY_BACKEND = "tests.registry.test_lookup.EmptyRegistry"
    assert lookup(LAN, actor=officer, purpose="reception", unit=vinh_bao) is None
    assert RegistryLookup.objects.get().backend == "empty"


def test_a_lookup_confirms_only_its_own_officer_unit_person_and_name(
    people, officer, other_officer, vinh_bao, vinh_thinh
):
    _person, row = services.lookup_recorded(LAN, actor=officer, purpose="reception", unit=vinh_bao)

    def confirms(**over):
        kw = {
            "lookup_id": row.pk,
            "actor": officer,
            "unit": vinh_bao,
            "citizen_id": LAN,
            "full_name": "Nguyễn Thị Lan",
            **over,
        }
        return services.confirms(**kw)

    assert confirms()
    assert confirms(full_name="nguyen thi  LAN")  # typed without accents
    assert not confirms(full_name="Nguyễn Thị Lanh")
    assert not confirms(citizen_id=MINH)
    assert not confirms(actor=other_officer)
    assert not confirms(unit=vinh_thinh)
    assert not confirms(lookup_id=None)
    assert not confirms(at=row.at + dt.timedelta(minutes=services.CONFIRMATION_MINUTES + 1))
    _none, missing = services.lookup_recorded(
        "031099000000", actor=officer, purpose="reception", unit=vinh_bao
    )
    assert not confirms(lookup_id=missing.pk, citizen_id="031099000000")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lookup_log_is_append_only_on_postgres(people, officer, vinh_bao):
    lookup(LAN, actor=officer, purpose="reception", unit=vinh_bao)
    row = RegistryLookup.objects.get()
    for attempt in (
        lambda: RegistryLookup.objects.filter(pk=row.pk).update(outcome="not_found"),
        lambda: RegistryLookup.objects.filter(pk=row.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert RegistryLookup.objects.get().outcome == Outcome.FOUND
