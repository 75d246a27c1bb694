"""A form opened before someone else changed the dossier is refused with 409 and the
Vietnamese reason, for every action of the dossier page: the version is checked by
`services.transition` under the row lock, not by the view beforehand."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierDocument, Status
from motcua.dossiers.workflow import IllegalTransition

from .factories import drive_to

pytestmark = pytest.mark.django_db

STALE = "Hồ sơ vừa được cập nhật bởi thao tác khác; vui lòng tải lại trang."
PDF = b"%PDF-1.4\n% ket qua\n"


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    """A real PDF (the stop form parses what it is given)."""
    from weasyprint import HTML

    return HTML(string="<p>Thông báo dừng giải quyết hồ sơ</p>").write_pdf()


def act(pk, action) -> str:
    return f"/can-bo/ho-so/{pk}/thao-tac/{action}/"


def someone_else_changes(world, d: Dossier) -> None:
    """Another officer acts on the dossier after the page was opened (status unchanged)."""
    if d.status == Status.PROCESSING:
        services.assign_step(world.manager, dossier_id=d.pk, assignee=world.specialist)
    else:  # awaiting approval: the leader sent it back and the specialist submitted it again
        services.send_back(world.leader, dossier_id=d.pk, reason="Sửa lại trích yếu")
        services.submit_for_approval(world.specialist, dossier_id=d.pk)


# action -> (status it is offered in, who submits it, the rest of the form)
CASES = {
    "submit_for_approval": (Status.PROCESSING, "specialist", {"note": "Đủ điều kiện"}),
    "request_supplement": (
        Status.PROCESSING,
        "specialist",
        {"items": "Bản sao giấy chứng sinh", "reason": "Thiếu giấy tờ"},
    ),
    "mark_result_ready": (Status.PROCESSING, "specialist", {}),
    "stop": (Status.PROCESSING, "specialist", {"reason": "Có tranh chấp"}),
    "send_back": (Status.AWAITING_APPROVAL, "leader", {"reason": "Chưa đúng mẫu"}),
    "approve_sign": (Status.AWAITING_APPROVAL, "leader", {"note": ""}),
}


@pytest.mark.parametrize("action", list(CASES))
def test_a_stale_form_is_a_conflict_and_changes_nothing(client, world, action, letter_pdf):
    status, who, form = CASES[action]
    d = drive_to(world, status)
    if action == "approve_sign":
        services.attach_document(
            world.specialist,
            dossier_id=d.pk,
            kind=DossierDocument.Kind.RESULT,
            file=SimpleUploadedFile("kq.pdf", PDF),
        )
    seen = Dossier.objects.get(pk=d.pk).version  # what the user's page showed
    someone_else_changes(world, d)
    before = Dossier.objects.get(pk=d.pk)
    documents_before = before.documents.count()
    if action == "stop":
        form = {**form, "letter": SimpleUploadedFile("thong-bao.pdf", letter_pdf)}

    client.force_login(getattr(world, who))
    r = client.post(act(d.pk, action), {"version": seen, **form})

    assert r.status_code == 409
    assert STALE in r.content.decode()
    after = Dossier.objects.get(pk=d.pk)
    assert (after.status, after.version) == (before.status, before.version)
    assert after.documents.count() == documents_before  # no stop letter kept either
    assert not after.supplements.exists()


def test_a_stale_stop_writes_no_letter_file(client, world, settings, letter_pdf):
    d = drive_to(world, Status.PROCESSING)
    seen = d.version
    someone_else_changes(world, d)
    client.force_login(world.specialist)
    letter = SimpleUploadedFile("thong-bao.pdf", letter_pdf)
    r = client.post(act(d.pk, "stop"), {"version": seen, "reason": "Tranh chấp", "letter": letter})
    assert r.status_code == 409
    media = settings.MEDIA_ROOT
    written = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    assert not [p for p in written if "dung-giai-quyet" in p.name]


VERBS = {
    "submit_for_approval": (Status.PROCESSING, "specialist", {}),
    "request_supplement": (
        Status.PROCESSING,
        "specialist",
        {"items": ["Bản sao giấy chứng sinh"], "reason": "Thiếu"},
    ),
    "mark_result_ready": (Status.PROCESSING, "specialist", {}),
    "stop": (Status.PROCESSING, "specialist", {"reason": "Có tranh chấp"}),
    "send_back": (Status.AWAITING_APPROVAL, "leader", {"reason": "Chưa đúng mẫu"}),
    "approve": (Status.AWAITING_APPROVAL, "leader", {}),
}


@pytest.mark.parametrize("verb", list(VERBS))
def test_each_verb_checks_the_expected_version_itself(world, verb):
    status, who, kwargs = VERBS[verb]
    d = drive_to(world, status)
    seen = d.version
    someone_else_changes(world, d)
    with pytest.raises(IllegalTransition) as caught:
        getattr(services, verb)(
            getattr(world, who), dossier_id=d.pk, expected_version=seen, **kwargs
        )
    assert caught.value.reason == STALE
    assert Dossier.objects.get(pk=d.pk).status == status


def test_the_current_version_goes_through(world):
    d = drive_to(world, Status.PROCESSING)
    d = services.submit_for_approval(world.specialist, dossier_id=d.pk, expected_version=d.version)
    assert d.status == Status.AWAITING_APPROVAL


def test_a_stale_result_upload_is_refused_before_anything_is_stored(world):
    d = drive_to(world, Status.PROCESSING)
    seen = d.version
    someone_else_changes(world, d)
    with pytest.raises(IllegalTransition):
        services.attach_document(
            world.specialist,
            dossier_id=d.pk,
            kind=DossierDocument.Kind.RESULT,
            file=SimpleUploadedFile("kq.pdf", PDF),
            expected_version=seen,
        )
    assert not d.documents.exists()


def test_bad_input_is_still_reported_before_the_version(world):
    d = drive_to(world, Status.PROCESSING)
    with pytest.raises(ValidationError):
        services.send_back(world.leader, dossier_id=d.pk, reason=" ", expected_version=0)
