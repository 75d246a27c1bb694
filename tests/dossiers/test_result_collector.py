"""The return screen shows whether fees are owed, paid or exempt, and records who took the
result: the applicant, or a person they authorised (name, valid ID, authorisation paper)."""

import pytest
from django.core.exceptions import ValidationError

from motcua.dossiers import selectors, services
from motcua.dossiers.models import CollectedBy, Dossier, Status

from .factories import CITIZEN_ID, drive_to, receive

pytestmark = pytest.mark.django_db
AUTHORISED_ID = "037199001234"


def screen(pk):
    return f"/can-bo/mot-cua/tra-ket-qua/{pk}/"


@pytest.fixture
def ready(world):
    return drive_to(world, Status.RESULT_READY)


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer)
    return client


def test_authorised_collector_without_id_is_refused_and_nothing_changes(world, ready):
    version = Dossier.objects.get(pk=ready.pk).version
    with pytest.raises(ValidationError) as caught:
        services.return_result(
            world.officer,
            dossier_id=ready.pk,
            delivery="counter",
            collected_by_kind=CollectedBy.AUTHORISED,
            collector_name="Trần Văn Bình",
            authorisation_note="Giấy ủy quyền số 12/UQ ngày 10/11/2026",
        )
    assert caught.value.message_dict["collector_id_number"] == [
        "Phải ghi số định danh cá nhân của người được ủy quyền."
    ]
    after = Dossier.objects.get(pk=ready.pk)
    assert after.status == Status.RESULT_READY and after.version == version
    assert after.collected_by_kind == "" and after.returned_at is None
    assert not after.events.filter(action="return_result").exists()


def test_authorised_collector_id_is_checked_like_the_applicants(world, ready):
    with pytest.raises(ValidationError) as caught:
        services.return_result(
            world.officer,
            dossier_id=ready.pk,
            delivery="counter",
            collected_by_kind=CollectedBy.AUTHORISED,
            collector_name="Trần Văn Bình",
            collector_id_number="12345",
            authorisation_note="Giấy ủy quyền số 12/UQ",
        )
    assert caught.value.message_dict["collector_id_number"] == [
        "Số định danh cá nhân phải gồm đúng 12 chữ số."
    ]


def test_applicant_collects_in_person_is_recorded_from_the_dossier(world, ready):
    done = services.return_result(
        world.officer,
        dossier_id=ready.pk,
        delivery="counter",
        collected_by_kind=CollectedBy.APPLICANT,
    )
    assert done.status == Status.RETURNED
    assert done.collected_by_kind == CollectedBy.APPLICANT
    assert done.collector_name == "Nguyễn Văn An" and done.collector_id_number == CITIZEN_ID
    assert done.current_event.data["collected_by_kind"] == "applicant"


def test_authorised_person_is_recorded_and_shown_on_the_dossier_pages(client, world, ready):
    services.return_result(
        world.officer,
        dossier_id=ready.pk,
        delivery="counter",
        collected_by_kind=CollectedBy.AUTHORISED,
        collector_name="  Trần   Văn Bình ",
        collector_id_number="0371 9900 1234",
        authorisation_note="Giấy ủy quyền số 12/UQ ngày 10/11/2026 của Nguyễn Văn An",
    )
    d = Dossier.objects.get(pk=ready.pk)
    assert (d.collector_name, d.collector_id_number) == ("Trần Văn Bình", AUTHORISED_ID)
    assert d.collector_authorisation.startswith("Giấy ủy quyền số 12/UQ")
    client.force_login(world.specialist)
    page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert "Trần Văn Bình" in page and "người được ủy quyền" in page and "12/UQ" in page
    client.force_login(world.officer)
    counter = client.get(f"/can-bo/mot-cua/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="result-collector"' in counter and AUTHORISED_ID in counter


def test_collector_is_only_for_results_handed_over_at_the_counter(world, ready):
    with pytest.raises(ValidationError, match="trực tiếp tại quầy"):
        services.return_result(
            world.officer,
            dossier_id=ready.pk,
            delivery="post",
            tracking_number="EB1VN",
            collected_by_kind=CollectedBy.APPLICANT,
        )


def test_return_screen_refuses_authorised_person_without_id_in_vietnamese(officer, ready):
    answer = officer.post(
        screen(ready.pk),
        {
            "delivery": "counter",
            "collected_by_kind": "authorised",
            "collector_name": "Trần Văn Bình",
            "authorisation_note": "Giấy ủy quyền số 12/UQ",
        },
    )
    assert answer.status_code == 400
    assert "Phải ghi số định danh cá nhân của người được ủy quyền." in answer.content.decode()
    assert Dossier.objects.get(pk=ready.pk).status == Status.RESULT_READY


def test_return_screen_records_the_authorised_person(officer, ready):
    answer = officer.post(
        screen(ready.pk),
        {
            "delivery": "counter",
            "collected_by_kind": "authorised",
            "collector_name": "Trần Văn Bình",
            "collector_id_number": AUTHORISED_ID,
            "authorisation_note": "Giấy ủy quyền số 12/UQ",
        },
    )
    assert answer.status_code == 302
    d = Dossier.objects.get(pk=ready.pk)
    assert d.status == Status.RETURNED and d.collected_by_kind == "authorised"


def test_quick_return_from_the_list_records_the_applicant(officer, ready):
    listing = officer.get("/can-bo/mot-cua/tra-ket-qua/", {"q": ready.code}).content.decode()
    assert 'name="collected_by_kind" value="applicant"' in listing
    officer.post(screen(ready.pk), {"delivery": "counter", "collected_by_kind": "applicant"})
    d = Dossier.objects.get(pk=ready.pk)
    assert d.collected_by_kind == "applicant" and d.collector_id_number == CITIZEN_ID


def test_return_screen_shows_fees_owed(officer, ready):
    page = officer.get(screen(ready.pk)).content.decode()
    status = page.split('data-testid="fee-status"', 1)[1].split("</div>", 1)[0]
    assert "8.000" in status and "Chưa ghi nhận đã nộp" in status
    assert selectors.fee_status(ready).state == "owed"


def test_return_screen_shows_fees_paid_online(officer, ready):
    Dossier.objects.filter(pk=ready.pk).update(paid_online=True)
    page = officer.get(screen(ready.pk)).content.decode()
    assert "Đã thanh toán trực tuyến" in page


def test_fee_status_after_a_financial_obligation_is_paid(world):
    d = drive_to(world, Status.AWAITING_FINANCIAL_OBLIGATION)
    assert selectors.fee_status(d) == selectors.FeeStatus(
        "owed", 8000 + 50000, "Chưa ghi nhận đã nộp", "Thu đủ trước khi trao kết quả."
    )
    services.confirm_payment(world.officer, dossier_id=d.pk, paid_online=False, reference="BL-7")
    paid = selectors.fee_status(Dossier.objects.get(pk=d.pk))
    assert (paid.state, paid.amount_vnd, paid.detail) == ("paid", 58000, "BL-7")


def test_fee_exempt_when_nothing_is_due(world):
    from .factories import make_procedure

    free = make_procedure(world.province)
    free.fees.all().delete()
    d = receive(world, procedure=free)
    assert selectors.fee_status(d).state == "exempt"
    assert selectors.fee_status(d).label == "Không thu phí, lệ phí"


def test_tracking_book_note_names_who_took_the_result(world, ready):
    from motcua.dossiers.papers import from_dossier

    services.return_result(
        world.officer,
        dossier_id=ready.pk,
        delivery="counter",
        collected_by_kind=CollectedBy.AUTHORISED,
        collector_name="Trần Văn Bình",
        collector_id_number=AUTHORISED_ID,
        authorisation_note="Giấy ủy quyền số 12/UQ",
    )
    d = Dossier.objects.get(pk=ready.pk)
    book = from_dossier.tracking_book(
        world.commune, [d], start=d.received_at.date(), end=d.received_at.date()
    )
    assert book.rows[0].note == "Đã trả kết quả; người nhận: Trần Văn Bình (được ủy quyền)"
