"""How the applicant wants the result (at the counter or by post) is chosen at reception,
kept on the dossier, shown on its pages and proposed when the result is handed over; a signed
result asked for online (online filing) is returned online, and only then."""

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from motcua.dossiers import services
from motcua.dossiers.models import Delivery, Dossier, DossierEvent, Status
from motcua.dossiers.papers import from_dossier

from .factories import applicant, attach, complete_processing, drive_to, pdf, receive
from .test_counter_reception import RECEPTION, form_data

pytestmark = pytest.mark.django_db

POST_LABEL = "Qua bưu chính công ích"


def checked_delivery(html: str) -> list[str]:
    """The values of the delivery radios that are checked (attributes in any order)."""
    radios = re.findall(r'<input[^>]*name="delivery"[^>]*>', html)
    return [re.search(r'value="(\w+)"', r).group(1) for r in radios if " checked" in r]


def ready_for_return(world, *, signed: bool = False, **kw) -> Dossier:
    """Received with `kw`, processed, result attached (signed or not) and marked ready."""
    d = receive(world, **kw)
    services.start_processing(world.officer, dossier_id=d.pk, assignee=world.specialist)
    complete_processing(world, d)
    attach(world, d, "result", signed=signed)
    return services.mark_result_ready(world.specialist, dossier_id=d.pk)


def test_post_chosen_at_the_counter_is_stored_shown_and_proposed_at_return(client, world):
    client.force_login(world.officer)
    r = client.post(RECEPTION, form_data(world, key="post-1", delivery="post"))
    assert r.status_code == 302
    d = Dossier.objects.get(idempotency_key="post-1")
    assert d.result_delivery == Delivery.POST
    assert d.events.get(action="receive").data["delivery"] == "post"

    counter_page = client.get(f"/can-bo/mot-cua/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="result-delivery">' + POST_LABEL in counter_page
    client.force_login(world.specialist)
    page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="result-delivery">' + POST_LABEL in page

    services.start_processing(world.officer, dossier_id=d.pk, assignee=world.specialist)
    complete_processing(world, d)
    services.attach_document(
        world.specialist,
        dossier_id=d.pk,
        kind="result",
        file=pdf("kq.pdf"),
    )
    services.mark_result_ready(world.specialist, dossier_id=d.pk)

    client.force_login(world.officer)
    one = client.get(f"/can-bo/mot-cua/tra-ket-qua/{d.pk}/").content.decode()
    assert checked_delivery(one) == ["post"]
    assert "Người nộp đã chọn khi nộp hồ sơ" in one and POST_LABEL in one
    listing = client.get("/can-bo/mot-cua/tra-ket-qua/", {"q": d.code}).content.decode()
    assert checked_delivery(listing) == ["post"]


def test_the_counter_is_proposed_when_the_applicant_collects_in_person(client, world):
    d = ready_for_return(world, result_delivery=Delivery.COUNTER)
    client.force_login(world.officer)
    one = client.get(f"/can-bo/mot-cua/tra-ket-qua/{d.pk}/").content.decode()
    assert checked_delivery(one) == ["counter"]


def test_a_signed_result_asked_online_is_proposed_and_returned_online(client, world):
    d = ready_for_return(world, result_delivery=Delivery.ONLINE, signed=True)
    client.force_login(world.officer)
    one = client.get(f"/can-bo/mot-cua/tra-ket-qua/{d.pk}/").content.decode()
    assert checked_delivery(one) == ["online"]
    listing = client.get("/can-bo/mot-cua/tra-ket-qua/", {"q": d.code}).content.decode()
    assert checked_delivery(listing) == ["online"]
    r = client.post(
        f"/can-bo/mot-cua/tra-ket-qua/{d.pk}/", {"delivery": "online", "collected_by_kind": ""}
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.result_delivery == Delivery.ONLINE
    assert d.collected_by_kind == ""  # nobody came to the counter


def test_online_is_not_offered_for_an_unsigned_result_nor_to_who_did_not_ask(client, world):
    unsigned = ready_for_return(world, result_delivery=Delivery.ONLINE)
    in_person = ready_for_return(
        world, result_delivery=Delivery.COUNTER, signed=True, applicant=applicant(name="Lê B")
    )
    client.force_login(world.officer)
    for d, proposed in ((unsigned, ["counter"]), (in_person, ["counter"])):
        one = client.get(f"/can-bo/mot-cua/tra-ket-qua/{d.pk}/").content.decode()
        assert checked_delivery(one) == proposed
        assert 'value="online"' not in one
        r = client.post(f"/can-bo/mot-cua/tra-ket-qua/{d.pk}/", {"delivery": "online"})
        assert r.status_code == 400
        assert "Chỉ trả kết quả trực tuyến khi người nộp chọn nhận trực tuyến" in r.content.decode()
        with pytest.raises(ValidationError):
            services.return_result(world.officer, dossier_id=d.pk, delivery=Delivery.ONLINE)
        d.refresh_from_db()
        assert d.status == Status.RESULT_READY


def test_the_receipt_says_the_result_goes_by_post(world):
    d = receive(world, result_delivery=Delivery.POST)
    paper = from_dossier.receipt(d, lookup_url="https://motcua.example.vn/tra-cuu/")
    assert "bưu chính" in paper.result_place
    counter = receive(world, result_delivery=Delivery.COUNTER, applicant=applicant(name="Lê B"))
    paper = from_dossier.receipt(counter, lookup_url="https://motcua.example.vn/tra-cuu/")
    assert "bưu chính" not in paper.result_place


def test_an_unknown_delivery_is_refused_with_a_clear_message(world):
    with pytest.raises(ValidationError) as caught:
        receive(world, result_delivery="drone")
    assert caught.value.message_dict["delivery"] == ["Hình thức nhận kết quả không hợp lệ."]
    assert not Dossier.objects.exists()


def test_what_was_done_at_return_replaces_what_was_asked(world):
    d = ready_for_return(world, result_delivery=Delivery.POST)
    d = services.return_result(world.officer, dossier_id=d.pk, delivery=Delivery.COUNTER)
    assert d.status == Status.RETURNED and d.result_delivery == Delivery.COUNTER


def test_older_dossiers_get_the_choice_from_their_reception_note(world):
    """Migration 0003 copies the choice that used to live only in the reception note."""
    asked_post = receive(world, result_delivery="", note=from_dossier.DELIVERY_NOTE["post"])
    asked_counter = receive(
        world,
        result_delivery="",
        note=from_dossier.DELIVERY_NOTE["counter"],
        applicant=applicant(name="Lê B"),
    )
    returned = drive_to(world, Status.RECEIVED)
    Dossier.objects.filter(pk=returned.pk).update(result_delivery="")
    assert DossierEvent.objects.filter(action="receive").count() == 3

    migration = importlib.import_module(
        "motcua.dossiers.migrations.0003_result_delivery_from_reception_note"
    )
    migration.forwards(apps, None)

    values = dict(Dossier.objects.values_list("pk", "result_delivery"))
    assert values[asked_post.pk] == "post"
    assert values[asked_counter.pk] == "counter"
    assert values[returned.pk] == ""  # no note said anything: left as it was
