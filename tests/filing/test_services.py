"""The filing services: a draft prefilled from VNeID and the registry, saved step by step,
papers attached or reused, submitted once as an online dossier with what it measured."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from motcua.citizens.models import CitizenIdentity
from motcua.documents.uploads import Upload, UploadRefused
from motcua.dossiers.models import Channel, Dossier, OnlineFiling, Status
from motcua.eforms import engine
from motcua.eforms import services as eforms
from motcua.filing import services
from motcua.filing.models import Draft
from tests.pdfs import encrypted_pdf, tiny_pdf, truncated_pdf

from .factories import HUNG, ID_PAPER, LAN, child_answers, jpeg, make_citizen
from .walk import earlier_dossier


def walk_the_form(draft, citizen, typed=None):
    typed = typed if typed is not None else child_answers()
    for key in engine.visible_steps(draft.schema.definition, services.answers_of(draft)):
        current = services.answers_of(draft)
        values = {**current, **typed}
        draft, errors = services.save_step(
            draft_id=draft.pk, citizen=citizen, step=key, values=values
        )
        assert errors == {}, (key, errors)
    return draft


def test_a_draft_is_prefilled_from_vneid_and_the_registry_and_pinned(fw):
    lan = make_citizen(LAN)
    draft = services.start(citizen=lan, procedure=fw.birth)
    assert draft.receiving_unit == fw.commune  # her permanent residence in the registry
    assert draft.prefilled["requester_name"] == "Nguyễn Thị Lan"
    assert draft.prefilled["father_name"] == "Phạm Văn Minh"  # her husband, from the registry
    assert draft.prefilled["mother_birth_year"] == 1990
    assert not draft.registry_down
    assert draft.schema.status == "published"
    assert draft.step == "nguoi_yeu_cau"
    # starting again resumes the open draft
    assert services.start(citizen=lan, procedure=fw.birth).pk == draft.pk


def test_lan_files_birth_registration_typing_three_fields(fw):
    lan = make_citizen(LAN)
    earlier = earlier_dossier(fw)
    draft = walk_the_form(services.start(citizen=lan, procedure=fw.birth), lan)
    services.choose_case(draft_id=draft.pk, citizen=lan, case="Đúng hạn", conditions=[])
    papers = {c.name: c for c in services.papers_for(draft)}
    assert set(papers) == {"Giấy chứng sinh", ID_PAPER}
    services.attach_paper(
        draft_id=draft.pk,
        citizen=lan,
        component_id=papers["Giấy chứng sinh"].pk,
        files=[Upload("p1.jpg", jpeg()), Upload("p2.jpg", jpeg())],
    )
    mine = services.reusable(draft, papers[ID_PAPER]).get()
    assert mine.dossier == earlier
    services.reuse_paper(
        draft_id=draft.pk, citizen=lan, component_id=papers[ID_PAPER].pk, earlier_id=mine.pk
    )
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online")
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    assert dossier.status == Status.SUBMITTED and dossier.channel == Channel.ONLINE
    assert dossier.applicant_id_number == LAN and dossier.identity_verified_via == "vneid"
    names = list(dossier.components.values_list("name", "digitized", "reused_from_warehouse"))
    assert names[0] == ("Tờ khai đăng ký khai sinh", True, False)
    assert ("Giấy chứng sinh", True, False) in names and (ID_PAPER, True, True) in names
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert filing.typed_fields == 3  # the child's name, date and place of birth
    assert filing.reused_documents == 1 and filing.citizen == lan
    assert filing.seconds_to_submit is not None and filing.form_schema_id == draft.schema_id
    assert dossier.fee_total_vnd == 0  # free online in Hải Phòng
    draft.refresh_from_db()
    assert draft.status == Draft.Status.SUBMITTED and draft.dossier == dossier
    # a second submit gives the same dossier
    assert services.submit(draft_id=draft.pk, citizen=lan) == dossier
    assert Dossier.objects.filter(applicant_id_number=LAN, channel="online").count() == 1


def test_a_step_with_a_changed_vneid_value_or_a_bad_date_is_refused_and_nothing_saved(fw):
    lan = make_citizen(LAN)
    draft = services.start(citizen=lan, procedure=fw.birth)
    values = {**services.answers_of(draft), "requester_name": "Người Khác"}
    _d, errors = services.save_step(
        draft_id=draft.pk, citizen=lan, step="nguoi_yeu_cau", values=values
    )
    assert "requester_name" in errors
    draft.refresh_from_db()
    assert draft.answers == {} and draft.step == "nguoi_yeu_cau"
    services.save_step(
        draft_id=draft.pk, citizen=lan, step="nguoi_yeu_cau", values=services.answers_of(draft)
    )
    draft.refresh_from_db()
    values = {**services.answers_of(draft), **child_answers(), "child_birthdate": "2999-01-01"}
    _d, errors = services.save_step(
        draft_id=draft.pk, citizen=lan, step="nguoi_duoc_khai_sinh", values=values
    )
    assert "child_birthdate" in errors
    draft.refresh_from_db()
    assert "child_name" not in draft.answers


def test_another_citizens_draft_is_not_found_by_any_service(fw):
    lan, hung = make_citizen(LAN), make_citizen(HUNG)
    draft = services.start(citizen=lan, procedure=fw.birth)
    with pytest.raises(Draft.DoesNotExist):
        services.save_step(draft_id=draft.pk, citizen=hung, step="nguoi_yeu_cau", values={})
    with pytest.raises(Draft.DoesNotExist):
        services.choose_delivery(draft_id=draft.pk, citizen=hung, delivery="online")
    with pytest.raises(Draft.DoesNotExist):
        services.submit(draft_id=draft.pk, citizen=hung)


def test_a_paper_of_someone_else_cannot_be_reused(fw):
    hung = make_citizen(HUNG)
    earlier = earlier_dossier(fw)  # Lan's
    draft = services.start(citizen=hung, procedure=fw.birth)
    paper = next(c for c in services.papers_for(draft) if c.name == ID_PAPER)
    with pytest.raises(ValidationError):
        services.reuse_paper(
            draft_id=draft.pk,
            citizen=hung,
            component_id=paper.pk,
            earlier_id=earlier.components.get().pk,
        )
    assert not draft.papers.exists()


@pytest.mark.parametrize(
    "files",
    [
        [Upload("rong.jpg", b"")],
        [Upload("anh.jpg", b"%PDF-1.4 not really a jpeg, truncated")],
        [Upload("hong.pdf", b"%PDF-1.7\n1 0 obj <<")],
        [Upload("anh.png", jpeg()[:500])],
        [Upload("khoa.pdf", encrypted_pdf(tiny_pdf(), owner_password="o", user_password="u"))],
        [Upload("cut.pdf", truncated_pdf(tiny_pdf()))],
        [Upload("a.pdf", tiny_pdf()), Upload("b.jpg", jpeg())],
    ],
    ids=[
        "zero-byte",
        "mislabelled",
        "corrupt-pdf",
        "truncated-image",
        "encrypted-pdf",
        "truncated-pdf",
        "pdf-and-photo-mixed",
    ],
)
def test_bad_files_are_refused_in_vietnamese_and_the_draft_keeps_what_it_had(fw, files):
    lan = make_citizen(LAN)
    draft = walk_the_form(services.start(citizen=lan, procedure=fw.birth), lan)
    services.choose_case(draft_id=draft.pk, citizen=lan, case="Đúng hạn", conditions=[])
    paper = services.papers_for(draft)[0]
    with pytest.raises(UploadRefused) as refused:
        services.attach_paper(draft_id=draft.pk, citizen=lan, component_id=paper.pk, files=files)
    assert refused.value.message and any(ch in refused.value.message for ch in "ệịạ ")
    draft.refresh_from_db()
    assert draft.answers["child_name"] == "Phạm Minh Khôi" and not draft.papers.exists()


def test_an_oversized_file_is_refused(fw, settings):
    settings.MOTCUA_UPLOAD_MAX_BYTES = 10_000
    lan = make_citizen(LAN)
    draft = services.start(citizen=lan, procedure=fw.birth)
    paper = services.papers_for(draft)[0]
    with pytest.raises(UploadRefused):
        services.attach_paper(
            draft_id=draft.pk, citizen=lan, component_id=paper.pk, files=[Upload("a.jpg", jpeg())]
        )


def test_an_expired_draft_takes_no_more_saves_and_is_not_listed(fw, settings):
    lan = make_citizen(LAN)
    started = timezone.now() - dt.timedelta(days=settings.MOTCUA_DRAFT_DAYS + 1)
    draft = services.start(citizen=lan, procedure=fw.birth, now=started)
    assert services.is_expired(draft)
    assert not services.open_drafts(lan).exists()
    with pytest.raises(services.DraftClosed):
        services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online")
    with pytest.raises(services.DraftClosed):
        services.submit(draft_id=draft.pk, citizen=lan)
    assert not Dossier.objects.exists()
    # starting again makes a new draft
    assert services.start(citizen=lan, procedure=fw.birth).pk != draft.pk


def test_a_declaration_republished_while_a_draft_is_open_keeps_the_drafts_version(fw):
    lan = make_citizen(LAN)
    draft = services.start(citizen=lan, procedure=fw.birth)
    pinned = draft.schema
    definition = pinned.definition
    definition["steps"][0]["title"] = "Người đi khai sinh"
    newer = eforms.revise(schema=pinned, actor=None, publish=True, definition=definition)
    assert newer.pk != pinned.pk
    draft = walk_the_form(Draft.objects.get(pk=draft.pk), lan)
    services.choose_case(draft_id=draft.pk, citizen=lan, case="Đúng hạn", conditions=[])
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="counter")
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    assert dossier.online_filing.form_schema_id == pinned.pk
    # a new draft takes the new version
    assert services.start(citizen=lan, procedure=fw.birth).schema_id == newer.pk


def test_with_the_registry_down_the_citizen_types_and_can_still_file(fw, settings):
    settings.MOTCUA_REGISTRY_DOWN = True
    lan = make_citizen(LAN)
    with pytest.raises(ValidationError) as refused:  # her commune is the registry's to say
        services.start(citizen=lan, procedure=fw.birth)
    assert "unit" in refused.value.message_dict
    draft = services.start(citizen=lan, procedure=fw.birth, unit=fw.commune)
    assert draft.registry_down
    assert "father_name" not in draft.prefilled
    assert draft.prefilled["requester_name"] == "Nguyễn Thị Lan"  # VNeID still fills hers
    typed = {
        **child_answers(),
        "child_ethnicity": "Kinh",
        "child_hometown": "xã Vĩnh Bảo, thành phố Hải Phòng",
        "mother_ethnicity": "Kinh",
        "mother_nationality": "Việt Nam",
    }
    draft = walk_the_form(draft, lan, typed=typed)
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="counter")
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    assert dossier.online_filing.typed_fields == 6  # nationality has its default


def test_submit_refuses_a_draft_without_delivery_and_names_what_is_missing(fw):
    lan = make_citizen(LAN)
    draft = walk_the_form(services.start(citizen=lan, procedure=fw.birth), lan)
    with pytest.raises(ValidationError) as refused:
        services.submit(draft_id=draft.pk, citizen=lan)
    assert set(refused.value.message_dict) == {"delivery"}  # online: no fee case to choose
    assert not Dossier.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_make_one_dossier(settings, tmp_path):
    from .factories import make_filing_world

    fw = make_filing_world()
    lan = make_citizen(LAN)
    draft = walk_the_form(services.start(citizen=lan, procedure=fw.birth), lan)
    services.choose_case(draft_id=draft.pk, citizen=lan, case="Đúng hạn", conditions=[])
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online")
    results, errors = [], []

    def go():
        try:
            results.append(services.submit(draft_id=draft.pk, citizen=lan).pk)
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(results)) == 1 and Dossier.objects.count() == 1


def test_a_pdf_is_kept_as_it_is_and_photos_become_one_pdf(fw):
    lan = make_citizen(LAN)
    draft = services.start(citizen=lan, procedure=fw.birth)
    first, second = services.papers_for(draft)[:2]
    kept = services.attach_paper(
        draft_id=draft.pk, citizen=lan, component_id=first.pk, files=[Upload("a.pdf", tiny_pdf())]
    )
    photos = services.attach_paper(
        draft_id=draft.pk,
        citizen=lan,
        component_id=second.pk,
        files=[Upload(f"{i}.jpg", jpeg()) for i in range(3)],
    )
    assert kept.pages == 1 and photos.pages == 3
    assert photos.file.read().startswith(b"%PDF")


def test_a_draft_resumed_in_a_later_session_is_measured_from_that_sign_in(fw):
    first_day = timezone.now() - dt.timedelta(days=2)
    lan = make_citizen(LAN, signed_in_at=first_day)
    draft = services.start(citizen=lan, procedure=fw.birth, now=first_day + dt.timedelta(minutes=1))
    assert draft.signed_in_at == first_day
    # two days later, on her husband's tablet: a new sign-in
    today = timezone.now() - dt.timedelta(seconds=80)
    CitizenIdentity.objects.filter(user=lan).update(last_signed_in_at=today)
    draft = walk_the_form(draft, lan)
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online")
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    assert 80 <= dossier.online_filing.seconds_to_submit < 120


def test_a_prefilled_field_the_citizen_clears_stays_cleared(fw):
    from motcua.eforms import selectors

    current = selectors.current_for(fw.birth)
    definition = current.definition
    for step in definition["steps"]:
        for field in step["fields"]:
            if field["name"] == "father_name":
                field["prefill"] = "registry.spouse.full_name"  # the mother files, and
                field["editable"] = True  # may leave the father out
    eforms.revise(schema=current, actor=None, publish=True, definition=definition)
    lan = make_citizen(LAN)
    draft = walk_the_form(services.start(citizen=lan, procedure=fw.birth), lan)
    assert draft.prefilled["father_name"] == "Phạm Văn Minh"
    values = {**services.answers_of(draft), "father_name": ""}  # father not declared
    draft, errors = services.save_step(draft_id=draft.pk, citizen=lan, step="cha", values=values)
    assert errors == {}
    assert services.answers_of(draft)["father_name"] is None
    answers = engine.clean(draft.schema.definition, services.answers_of(draft))
    assert "father_name" not in answers and "father_birth_year" not in answers
