"""Who may do what on the dossier page, as a matrix: every action, posted by every role.

Each person is signed in alone and posts the action whether or not their page offers it (a
hand-made request). The expected roles are written out here, from the one-stop rules, not read
from the code's table: the counter receives, hands over and returns; the specialist holding
the dossier examines, drafts and asks; the leader assigns, approves and signs; the manager
(Văn phòng, TTPVHCC) may step in for the counter and the department. Where the table says no,
the answer is 403 and nothing changes; where it says yes, the action goes through; the page
offers the button exactly to those who may use it. Another unit's staff get 404.
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from weasyprint import HTML

from motcua.accounts.models import Role
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierDocument, Status

from .factories import attach, drive_to, make_staff

pytestmark = pytest.mark.django_db

OFFICER, SPECIALIST, LEADER, MANAGER = "officer", "specialist", "leader", "manager"
OTHER_SPECIALIST = "other_specialist"  # a specialist of the same commune, not holding it
STRANGER = "other_officer"  # counter officer of another commune
PEOPLE = (OFFICER, SPECIALIST, OTHER_SPECIALIST, LEADER, MANAGER, STRANGER)

# action -> who of the commune may run it
MAY = {
    "start_processing": {OFFICER, MANAGER},
    "assign": {MANAGER, LEADER},
    "finish_step": {SPECIALIST, MANAGER, LEADER},
    "request_supplement": {OFFICER, SPECIALIST, MANAGER},
    "request_financial_obligation": {SPECIALIST, MANAGER, LEADER},
    "confirm_payment": {OFFICER, SPECIALIST, OTHER_SPECIALIST, MANAGER},
    "submit_for_approval": {SPECIALIST, MANAGER},
    "send_back": {LEADER},
    "approve_sign": {LEADER},
    "attach_result": {SPECIALIST, MANAGER, LEADER},
    "mark_result_ready": {SPECIALIST, MANAGER, LEADER},
    "extend": {SPECIALIST, MANAGER, LEADER},
    "stop": {SPECIALIST, MANAGER, LEADER},
    "transfer": {OFFICER, MANAGER, LEADER},
}
# action -> (status the dossier is brought to, form to post)
SETUP = {
    "start_processing": (Status.RECEIVED, {}),
    "assign": (Status.PROCESSING, {"assignee": "specialist"}),
    "finish_step": (Status.PROCESSING, {"note": "Đủ điều kiện"}),
    "request_supplement": (
        Status.PROCESSING,
        {"items": "Bản sao giấy chứng sinh\n", "reason": "Thiếu giấy tờ"},
    ),
    "request_financial_obligation": (Status.PROCESSING, {"amount_vnd": "150000"}),
    "confirm_payment": (Status.AWAITING_FINANCIAL_OBLIGATION, {"reference": "BL-001"}),
    "submit_for_approval": (Status.PROCESSING, {"note": ""}),
    "send_back": (Status.AWAITING_APPROVAL, {"reason": "Sửa lại trích yếu"}),
    "approve_sign": (Status.AWAITING_APPROVAL, {"confirm": "on"}),
    "attach_result": (Status.PROCESSING, {"file": "pdf"}),
    "mark_result_ready": (Status.APPROVED, {}),
    "extend": (Status.PROCESSING, {"reason": "Cần xác minh", "new_due_date": "later"}),
    "stop": (Status.PROCESSING, {"reason": "Có tranh chấp", "letter": "pdf"}),
    "transfer": (Status.RECEIVED, {"to_unit": "other", "reason": "Thuộc thẩm quyền xã khác"}),
}
assert set(MAY) == set(SETUP)


@pytest.fixture(scope="module")
def result_pdf() -> bytes:
    return HTML(string="<p>Giấy khai sinh: Nguyễn Văn Bình</p>").write_pdf()


@pytest.fixture(autouse=True)
def dev_pki(tmp_path, settings):
    """A throw-away development PKI for the leader's signature; never a real certificate."""
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        setattr(settings, name, "")


def _people(world) -> dict:
    return {
        OFFICER: world.officer,
        SPECIALIST: world.specialist,
        OTHER_SPECIALIST: make_staff((Role.SPECIALIST, world.commune), name="Hà Thị Khác"),
        LEADER: world.leader,
        MANAGER: world.manager,
        STRANGER: world.other_officer,
    }


def _dossier(world, action, result_pdf) -> Dossier:
    status, _form = SETUP[action]
    d = drive_to(world, status)
    if action in ("approve_sign", "mark_result_ready"):
        services.attach_document(
            world.specialist,
            dossier_id=d.pk,
            kind=DossierDocument.Kind.RESULT,
            file=SimpleUploadedFile("kq.pdf", result_pdf),
        )
    return Dossier.objects.get(pk=d.pk)


def _form(world, action, d, result_pdf) -> dict:
    data = {"version": d.version}
    for key, value in SETUP[action][1].items():
        if value == "pdf":
            value = SimpleUploadedFile(f"{key}.pdf", result_pdf, content_type="application/pdf")
        elif value == "specialist":
            value = world.specialist.pk
        elif value == "other":
            value = world.other.pk
        elif value == "later":
            value = (d.due_at_current + dt.timedelta(days=14)).date().isoformat()
        data[key] = value
    return data


def _offered(html: str) -> set[str]:
    return set(re.findall(r'data-testid="action-([a-z_]+)"', html))


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", sorted(SETUP))
def test_every_action_posted_by_every_role(client, world, result_pdf, action, person):
    user = _people(world)[person]
    d = _dossier(world, action, result_pdf)
    events, documents = d.events.count(), d.documents.count()
    client.force_login(user)
    page = client.get(f"/can-bo/ho-so/{d.pk}/")
    r = client.post(f"/can-bo/ho-so/{d.pk}/thao-tac/{action}/", _form(world, action, d, result_pdf))
    after = Dossier.objects.get(pk=d.pk)
    if person == STRANGER:
        assert page.status_code == 404 and r.status_code == 404
        assert after.version == d.version
        return
    offered = action in _offered(page.content.decode())
    if person in MAY[action]:
        assert offered, f"{person} should be offered {action}"
        assert r.status_code == 302, r.content.decode()[:2000]
        assert after.version != d.version or after.documents.count() == documents + 1
    else:
        assert not offered, f"{person} must not be offered {action}"
        assert r.status_code == 403, (r.status_code, r.content.decode()[:500])
        assert after.version == d.version and after.events.count() == events
        assert after.documents.count() == documents


@pytest.mark.parametrize("person", (OFFICER, SPECIALIST, LEADER, MANAGER))
def test_acknowledging_a_transfer_belongs_to_the_receiving_commune(client, world, person):
    """The commune the dossier was sent to confirms it (its counter, manager or leader)."""
    d = drive_to(world, Status.TRANSFERRING)  # from world.commune to world.other
    theirs = {
        OFFICER: world.other_officer,
        SPECIALIST: make_staff((Role.SPECIALIST, world.other)),
        LEADER: world.other_leader,
        MANAGER: make_staff((Role.MANAGER, world.other)),
    }[person]
    client.force_login(theirs)
    r = client.post(f"/can-bo/ho-so/{d.pk}/thao-tac/acknowledge_transfer/", {"version": d.version})
    after = Dossier.objects.get(pk=d.pk)
    if person == SPECIALIST:
        assert r.status_code == 403 and after.status == Status.TRANSFERRING
    else:
        assert r.status_code == 302 and after.status == Status.RECEIVED


COUNTER_VERBS = {
    # verb -> (status, kwargs, roles that may)
    "accept_online": (Status.SUBMITTED, {}, {OFFICER, MANAGER}),
    "refuse_with_letter": (Status.RECEIVED, {"reason": "Không đủ điều kiện"}, {OFFICER, MANAGER}),
    "return_result": (Status.RESULT_READY, {"delivery": "counter"}, {OFFICER, MANAGER}),
}


@pytest.mark.parametrize("person", (OFFICER, SPECIALIST, LEADER, MANAGER))
@pytest.mark.parametrize("verb", sorted(COUNTER_VERBS))
def test_counter_verbs_called_directly_as_an_api_would(world, verb, person):
    """The counter's verbs refuse the department's people whichever caller reaches them."""
    from django.core.exceptions import PermissionDenied

    status, kwargs, may = COUNTER_VERBS[verb]
    d = drive_to(world, status)
    user = _people(world)[person]
    if person in may:
        done = getattr(services, verb)(user, dossier_id=d.pk, **kwargs)
        assert done.version == d.version + 1
    else:
        with pytest.raises(PermissionDenied):
            getattr(services, verb)(user, dossier_id=d.pk, **kwargs)
        assert Dossier.objects.get(pk=d.pk).version == d.version


def test_the_counter_officer_cannot_finish_the_department_s_steps(world):
    from django.core.exceptions import PermissionDenied

    d = drive_to(world, Status.PROCESSING)
    with pytest.raises(PermissionDenied, match="Vai trò của bạn"):
        services.finish_step(world.officer, dossier_id=d.pk)
    attach(world, d, DossierDocument.Kind.STOP_LETTER)
    with pytest.raises(PermissionDenied):
        services.stop(world.officer, dossier_id=d.pk, reason="Có tranh chấp")
