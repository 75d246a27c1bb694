"""Postal delivery chosen when filing online and at the counter: the fee shown up front from the
unit's tariff (the demo's marked illustrative), a delivery address required and checked, the
address and the quoted fee kept with the dossier for the officer's hand-over."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.filing import services
from motcua.filing.models import Draft
from motcua.postal.models import PostalTariff, RequestedDelivery
from tests.filing.factories import LAN, make_citizen
from tests.filing.test_services import walk_the_form

from .conftest import ADDRESS

pytestmark = pytest.mark.django_db


def test_the_online_form_shows_the_fee_and_requires_an_address_for_the_post(fw):
    lan = make_citizen(LAN)
    client = Client()
    client.force_login(lan)
    draft = services.start(citizen=lan, procedure=fw.birth)
    url = reverse("filing:delivery", args=[draft.pk])
    page = client.get(url).content.decode()
    tariff = PostalTariff.objects.get(unit_id=draft.receiving_unit_id)
    assert tariff.illustrative and "22.000\u00a0đ" in page and "mức minh họa" in page
    missing = client.post(
        url, {"nhan-ket-qua": "post", "thong-bao": "sms", "dien-thoai": "0912345678"}
    )
    assert missing.status_code == 400
    assert "Hãy ghi địa chỉ nhận kết quả qua bưu điện." in missing.content.decode()
    vague = client.post(
        url,
        {
            "nhan-ket-qua": "post",
            "thong-bao": "sms",
            "dien-thoai": "0912345678",
            "dia-chi-buu-chinh": "nhà tôi",
        },
    )
    assert vague.status_code == 400 and "dấu phẩy" in vague.content.decode()
    ok = client.post(
        url,
        {
            "nhan-ket-qua": "post",
            "thong-bao": "sms",
            "dien-thoai": "0912345678",
            "dia-chi-buu-chinh": ADDRESS,
        },
    )
    assert ok.status_code == 302
    assert Draft.objects.get(pk=draft.pk).postal_address == ADDRESS


def test_the_dossier_keeps_the_address_and_the_fee_quoted(fw):
    lan = make_citizen(LAN)
    draft = services.start(citizen=lan, procedure=fw.birth)
    draft = walk_the_form(draft, lan)
    services.choose_case(draft_id=draft.pk, citizen=lan, case="Đúng hạn", conditions=[])
    services.choose_delivery(
        draft_id=draft.pk, citizen=lan, delivery="post", postal_address=f"  {ADDRESS} "
    )
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    asked = RequestedDelivery.objects.get(dossier=dossier)
    assert (asked.address, asked.fee_vnd) == (ADDRESS, 22000)
    assert Dossier.objects.get(pk=dossier.pk).result_delivery == "post"


def test_choosing_the_counter_clears_a_postal_address(fw):
    lan = make_citizen(LAN)
    draft = services.start(citizen=lan, procedure=fw.birth)
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="counter", postal_address="x")
    assert Draft.objects.get(pk=draft.pk).postal_address == ""


def test_counter_reception_shows_the_fee_and_requires_an_address_for_the_post(world, client):
    from tests.dossiers.test_counter_reception import RECEPTION, form_data

    PostalTariff.objects.create(
        unit=world.commune, amount_vnd=18000, basis="Hợp đồng số 12/HĐ-BĐ", illustrative=True
    )
    client.force_login(world.officer)
    form = client.get(RECEPTION, {"thu_tuc": world.procedure.pk}).content.decode()
    assert "18.000\u00a0đ" in form and "Hợp đồng số 12/HĐ-BĐ" in form
    key = re.search(r'name="key" value="([^"]+)"', form).group(1)
    refused = client.post(
        RECEPTION, form_data(world, key=key, delivery="post", applicant_address="xã An Hưng")
    )
    assert refused.status_code == 400 and "dấu phẩy" in refused.content.decode()
    assert not Dossier.objects.exists()
    answer = client.post(
        RECEPTION, form_data(world, key=key, delivery="post", applicant_address=ADDRESS)
    )
    assert answer.status_code == 302
    asked = RequestedDelivery.objects.get()
    assert (asked.address, asked.fee_vnd, asked.dossier.result_delivery) == (ADDRESS, 18000, "post")
