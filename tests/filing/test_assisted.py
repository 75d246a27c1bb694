"""Assisted filing at the centre (decisions/0032): an officer or a digital-tech team member
starts a session for a citizen who is present, the citizen confirms (VNeID sign-in on their
phone, or the officer checks the registry), the helper files through the ordinary filing
services, and the dossier is online, assisted, counted for the village; and every refusal."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.citizens.models import CitizenIdentity
from motcua.core.audit import AuditEvent
from motcua.dossiers.models import Channel, Dossier, IdentityVia, OnlineFiling
from motcua.filing import assisted, services
from motcua.filing.models import AssistSession, Draft
from motcua.outreach.models import AssistedAction
from motcua.registry.models import RegistryLookup, Resident
from tests.clock import Clock
from tests.dossiers.factories import make_staff

from .factories import HUNG, LAN, make_citizen
from .test_services import walk_the_form

NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The app's clock frozen on Monday 7/12/2026 09:00 in the commune; tests move it."""
    c = Clock(NOW)
    monkeypatch.setattr(timezone, "now", lambda: c())
    return c


def _begin(fw, helper=None, citizen_id=LAN, unit=None, now=NOW):
    return assisted.begin(
        helper=helper or fw.officer,
        unit=unit or fw.commune,
        procedure=fw.birth,
        citizen_id=citizen_id,
        now=now,
    )


def _fill_and_submit(draft, helper, now):
    walk_the_form(draft, helper)
    services.choose_case(draft_id=draft.pk, citizen=helper, case="Đúng hạn", conditions=[])
    services.choose_delivery(draft_id=draft.pk, citizen=helper, delivery="online")
    return services.submit(draft_id=draft.pk, citizen=helper, now=now)


def test_lan_confirms_with_vneid_and_the_officer_files_for_her(fw):
    lan = make_citizen(LAN)
    session, code = _begin(fw)
    assert len(code) == assisted.CODE_LENGTH and session.token_hash != code
    session = assisted.confirm_by_sign_in(code=code, citizen=lan, now=NOW)
    assert session.status == AssistSession.Status.CONFIRMED
    assert session.confirmed_by == OnlineFiling.Confirmed.CITIZEN_SIGN_IN
    draft = session.draft
    assert draft.citizen == lan and draft.receiving_unit == fw.commune
    assert draft.prefilled["requester_name"] == "Nguyễn Thị Lan"
    dossier = _fill_and_submit(draft, fw.officer, NOW + dt.timedelta(minutes=6))
    assert dossier.channel == Channel.ONLINE and dossier.applicant_id_number == LAN
    assert dossier.identity_verified_via == IdentityVia.VNEID
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert filing.assisted_by == fw.officer and filing.citizen == lan
    assert filing.confirmed_by == OnlineFiling.Confirmed.CITIZEN_SIGN_IN
    assert filing.seconds_to_submit == 360  # from her confirmation
    session.refresh_from_db()
    assert session.status == AssistSession.Status.SUBMITTED
    # audited, without her ID or name
    actions = list(
        AuditEvent.objects.filter(action__startswith="filing.assist_").values_list(
            "action", flat=True
        )
    )
    assert {"filing.assist_start", "filing.assist_confirm", "filing.assist_submit"} <= set(actions)
    for event in AuditEvent.objects.filter(action__startswith="filing."):
        text = f"{event.changes} {event.object_repr}"
        assert LAN not in text and "Lan" not in text
    # the village's first online dossier, counted once
    village = session.village
    assert village is not None
    action = AssistedAction.objects.get(kind=AssistedAction.Kind.FIRST_ONLINE_DOSSIER)
    assert action.village == village and action.recorded_by == fw.officer
    # the step saves were made by the officer (audit actor), the dossier is Lan's
    assert AuditEvent.objects.filter(action="filing.save_step", actor=fw.officer).exists()
    assert lan.pk in Dossier.objects.filter(applicant_id_number=LAN).values_list(
        "online_filing__citizen", flat=True
    )


def test_the_online_filing_report_counts_the_assisted_dossier(fw, client):
    lan = make_citizen(LAN)
    session, code = _begin(fw)
    session = assisted.confirm_by_sign_in(code=code, citizen=lan, now=NOW)
    _fill_and_submit(session.draft, fw.officer, NOW + dt.timedelta(minutes=3))
    manager = make_staff((Role.MANAGER, fw.commune))
    client.force_login(manager)
    page = client.get(reverse("reports:online_filing"), {"tu": "2026-12-01", "den": "2026-12-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Đăng ký khai sinh" in html
    assert re.search(r'data-testid="total-assisted">1<', html), html


def test_registry_confirmation_makes_an_assisted_level_one_account_once(fw):
    # Hùng never signed in: the officer checks his card against the registry
    session, _code = _begin(fw, citizen_id=HUNG)
    with pytest.raises(ValidationError):
        assisted.confirm_by_registry(
            session_id=session.pk, helper=fw.officer, card_checked=False, now=NOW
        )
    session = assisted.confirm_by_registry(
        session_id=session.pk, helper=fw.officer, card_checked=True, now=NOW
    )
    assert session.confirmed_by == OnlineFiling.Confirmed.REGISTRY
    identity = CitizenIdentity.objects.get(citizen_id=HUNG)
    assert identity.issuer == assisted.ASSISTED_ISSUER
    assert identity.identity_level == 1 and identity.full_name == "Trần Văn Hùng"
    citizen = identity.user
    assert citizen.kind == citizen.Kind.CITIZEN and not citizen.has_usable_password()
    assert RegistryLookup.objects.filter(
        purpose="assisted_filing", actor=fw.officer, citizen_id=HUNG
    ).exists()
    dossier = _fill_and_submit(session.draft, fw.officer, NOW + dt.timedelta(minutes=8))
    # a second visit finds the same account
    again, _code = _begin(fw, citizen_id=HUNG, now=NOW + dt.timedelta(minutes=9))
    again = assisted.confirm_by_registry(
        session_id=again.pk,
        helper=fw.officer,
        card_checked=True,
        now=NOW + dt.timedelta(minutes=9),
    )
    assert again.citizen == citizen
    assert CitizenIdentity.objects.filter(citizen_id=HUNG).count() == 1
    assert dossier.identity_verified_via == IdentityVia.POPULATION_DB
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert filing.confirmed_by == "registry" and filing.assisted_by == fw.officer
    assert AuditEvent.objects.filter(action="citizens.account_from_registry").count() == 1


def test_registry_confirmation_uses_the_vneid_account_when_there_is_one(fw):
    lan = make_citizen(LAN)
    session, _code = _begin(fw)
    session = assisted.confirm_by_registry(
        session_id=session.pk, helper=fw.officer, card_checked=True, now=NOW
    )
    assert session.citizen == lan and session.draft.citizen == lan


def test_a_digital_team_member_may_help_but_not_a_specialist_or_another_units_officer(fw):
    team = make_staff((Role.DIGITAL_TEAM, fw.commune))
    specialist = make_staff((Role.SPECIALIST, fw.commune))
    other_officer = make_staff((Role.COUNTER_OFFICER, fw.other))
    session, _code = _begin(fw, helper=team)
    assert session.helper == team
    for refused in (specialist, other_officer):
        with pytest.raises(PermissionDenied):
            _begin(fw, helper=refused)
    # nor may they act on someone else's session
    with pytest.raises(PermissionDenied):
        assisted.confirm_by_registry(
            session_id=session.pk, helper=other_officer, card_checked=True, now=NOW
        )
    with pytest.raises(PermissionDenied):
        assisted.confirm_by_registry(
            session_id=session.pk, helper=fw.officer, card_checked=True, now=NOW
        )
    assert AssistSession.objects.count() == 1


def test_a_citizen_with_another_id_cannot_confirm(fw):
    hung = make_citizen(HUNG)
    session, code = _begin(fw)  # the officer entered Lan's ID
    with pytest.raises(assisted.WrongCitizen):
        assisted.confirm_by_sign_in(code=code, citizen=hung, now=NOW)
    session.refresh_from_db()
    assert session.status == AssistSession.Status.PENDING and session.citizen is None
    assert not Draft.objects.exists()
    refused = AuditEvent.objects.get(action="filing.assist_refused")
    assert refused.actor == hung and refused.changes == {"reason": "other_citizen"}


@override_settings(MOTCUA_ASSIST_CODE_MINUTES=15)
def test_a_code_is_single_use_and_expires(fw, clock):
    lan = make_citizen(LAN)
    _session, code = _begin(fw)
    assisted.confirm_by_sign_in(code=code, citizen=lan, now=NOW)
    with pytest.raises(assisted.CodeRefused):
        assisted.confirm_by_sign_in(code=code, citizen=lan, now=NOW)
    _late, late_code = _begin(fw)
    later = NOW + dt.timedelta(minutes=15)
    clock.set(later)
    with pytest.raises(assisted.CodeRefused):
        assisted.confirm_by_sign_in(code=late_code, citizen=lan, now=later)
    with pytest.raises(assisted.CodeRefused):
        assisted.confirm_by_sign_in(code="ABCDEFGH", citizen=lan, now=later)


def test_the_helper_acts_only_on_the_draft_of_their_session(fw, clock):
    lan = make_citizen(LAN)
    hung = make_citizen(HUNG)
    colleague = make_staff((Role.COUNTER_OFFICER, fw.commune))
    hungs_own = services.start(citizen=hung, procedure=fw.birth, now=NOW)
    session, code = _begin(fw)
    session = assisted.confirm_by_sign_in(code=code, citizen=lan, now=NOW)
    step = session.draft.step
    for who, draft in ((fw.officer, hungs_own), (colleague, session.draft)):
        with pytest.raises(PermissionDenied):
            services.save_step(draft_id=draft.pk, citizen=who, step=step, values={})
        with pytest.raises(PermissionDenied):
            services.submit(draft_id=draft.pk, citizen=who, now=NOW)
    # hours later the session no longer opens the draft
    later = NOW + dt.timedelta(hours=assisted.HELPING_HOURS, minutes=1)
    clock.set(later)
    with pytest.raises(PermissionDenied):
        services.save_step(draft_id=session.draft.pk, citizen=fw.officer, step=step, values={})


def test_no_village_no_assisted_action_but_the_dossier_is_filed(fw):
    lan = make_citizen(LAN)
    Resident.objects.filter(citizen_id=LAN).update(village=None)  # the registry knows none
    session, code = _begin(fw)
    session = assisted.confirm_by_sign_in(code=code, citizen=lan, now=NOW)
    assert session.village is None
    dossier = _fill_and_submit(session.draft, fw.officer, NOW + dt.timedelta(minutes=2))
    assert dossier.pk and not AssistedAction.objects.exists()


def test_a_procedure_not_filed_online_here_is_refused(fw):
    fw.birth.online_mode = "none"
    fw.birth.save()
    with pytest.raises(ValidationError):
        _begin(fw)
    with pytest.raises(ValidationError):
        assisted.begin(
            helper=fw.officer, unit=fw.commune, procedure=fw.birth, citizen_id="12", now=NOW
        )
