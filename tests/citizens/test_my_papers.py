"""Giấy tờ của tôi (/cong-dan/giay-to/): the results issued to the signed-in citizen and the
papers they filed, newest first, each downloadable only through the citizen's signed links,
with "Dùng cho hồ sơ mới" where a procedure filed online asks for that paper; never another
citizen's, whatever id, code or token is changed."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from motcua.catalog.models import Component, Procedure, ResultValidity
from motcua.citizens import links
from motcua.core.models import AuditEvent
from motcua.dossiers.models import DossierComponent, DossierDocument, Status
from motcua.eforms.models import FormSchema

from . import test_my_dossiers_security as security
from .myspace import BACKEND, drive

# the "Hồ sơ của tôi" security scene: Lan's dossiers (one returned with its signed result) and
# Hùng's, on the frozen clock, files in a temporary media root
_media_in_tmp, clock, world, scene = (
    security._media_in_tmp,
    security.clock,
    security.world,
    security.scene,
)
assert_no_data = security.assert_no_data

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))
PAPER_BYTES = b"%PDF-1.4\n% GIAY CHUNG SINH\n"


def filed(dossier, name="Giấy chứng sinh") -> DossierComponent:
    component = DossierComponent(dossier=dossier, name=name, digitized=True)
    component.file.save(f"tp-{dossier.pk}.pdf", ContentFile(PAPER_BYTES), save=False)
    component.save()
    return component


def items(client) -> list[dict]:
    from lxml import html

    page = html.fromstring(client.get("/cong-dan/giay-to/").content.decode())
    return [
        {
            "kind": li.get("data-kind"),
            "code": li.get("data-code"),
            "text": " ".join(li.text_content().split()),
            "download": li.xpath(".//*[@data-testid='download']")[0].get("href"),
            "offers": [
                a.text_content().strip() for a in li.xpath(".//*[@data-testid='reuse-offer']")
            ],
        }
        for li in page.xpath("//*[@data-testid='my-paper']")
    ]


def test_results_and_filed_papers_newest_first_with_validity(client, scene, clock):
    returned = scene["returned"]
    processing = scene["processing"]
    mine = filed(processing)
    ResultValidity.objects.create(
        code=returned.procedure_code, days=180, result="Giấy xác nhận", basis="test"
    )
    client.force_login(scene["lan"], backend=BACKEND)
    listed = items(client)
    kinds = [(i["kind"], i["code"]) for i in listed]
    assert ("result", returned.code) in kinds and ("filed", processing.code) in kinds
    # only her own: Hùng's result is not listed, nor a result not yet ready
    assert scene["hungs"].code not in {code for _k, code in kinds}
    assert [k for k, code in kinds if code == processing.code] == ["filed"]
    result = next(i for i in listed if i["kind"] == "result")
    until = (returned.returned_at + dt.timedelta(days=180)).astimezone(VN)
    assert f"Giátrịđến{until:%d/%m/%Y}" in result["text"].replace(" ", "")
    assert returned.procedure_name in result["text"]
    # each downloads through its own signed link, and the download is audited
    r = client.get(result["download"])
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    paper = next(i for i in listed if i["kind"] == "filed")
    r = client.get(paper["download"])
    assert r.status_code == 200 and b"".join(r.streaming_content) == PAPER_BYTES
    assert AuditEvent.objects.filter(action="citizen.download").count() == 2
    assert mine.name in paper["text"]
    # validity run out: said so
    clock.advance(days=181)
    client.force_login(scene["lan"], backend=BACKEND)  # a new session, half a year on
    assert "Đã hết giá trị" in next(i for i in items(client) if i["kind"] == "result")["text"]


def test_a_procedure_filed_online_that_needs_the_paper_is_offered(client, scene):
    returned = scene["returned"]
    procedure = returned.procedure
    procedure.result_type = "Giấy khai sinh (bản chính)"
    procedure.save()
    # a procedure of the same unit, filed online with a declaration, asking for both papers
    other = Procedure.objects.get(pk=procedure.pk)
    other.pk = None
    other.code, other.name = "2.000635", "Cấp bản sao trích lục hộ tịch"
    other.online_mode = Procedure.OnlineMode.FULL
    other.is_published = True
    other.save()
    Component.objects.create(procedure=other, order=1, name="Bản sao Giấy khai sinh của trẻ")
    Component.objects.create(procedure=other, order=2, name="Giấy chứng sinh")
    FormSchema.objects.create(
        procedure=other,
        version=1,
        status=FormSchema.Status.PUBLISHED,
        published_at=returned.submitted_at,
        definition={"steps": []},
    )
    filed(scene["processing"])
    client.force_login(scene["lan"], backend=BACKEND)
    listed = items(client)
    result = next(i for i in listed if i["kind"] == "result")
    paper = next(i for i in listed if i["kind"] == "filed")
    assert result["offers"] == ["Cấp bản sao trích lục hộ tịch"]
    assert paper["offers"] == ["Cấp bản sao trích lục hộ tịch"]


def test_the_empty_page_says_so_in_plain_vietnamese(client, world):
    from .myspace import citizen

    client.force_login(citizen("031199000001", "Lò Văn Mới"), backend=BACKEND)
    body = client.get("/cong-dan/giay-to/").content.decode()
    assert "Bạn chưa có giấy tờ nào ở đây." in body
    assert "/cong-dan/giay-to/" in client.get("/cong-dan/").content.decode()


def test_a_component_link_is_refused_to_another_citizen_on_another_code_or_altered(client, scene):
    lan, hung = scene["lan"], scene["hung"]
    processing, hungs = scene["processing"], scene["hungs"]
    mine, theirs = filed(processing), filed(hungs)
    url = links.url_for_component(lan, processing, mine)
    token = url.rstrip("/").rsplit("/", 1)[1]
    client.force_login(hung, backend=BACKEND)
    r = client.get(url)
    assert r.status_code == 403
    assert_no_data(r, scene)
    # Hùng's listing never names Lan's dossiers
    body = client.get("/cong-dan/giay-to/").content.decode()
    for key in ("supplement", "returned", "processing"):
        assert scene[key].code not in body
    client.force_login(lan, backend=BACKEND)
    assert client.get(url).status_code == 200
    # her token moved onto Hùng's code, or pointing at his component, or at a document id
    assert client.get(f"/cong-dan/ho-so/{hungs.code}/tep/{token}/").status_code == 404
    for dossier, row_id, name in (
        (hungs, theirs.pk, theirs.file.name),
        (processing, theirs.pk, mine.file.name),
        (scene["returned"], scene["returned"].documents.get(kind="result").pk, mine.file.name),
    ):
        forged = links.make_token(
            lan, dossier_id=dossier.pk, document_id=row_id, name=name, kind="c"
        )
        r = client.get(f"/cong-dan/ho-so/{dossier.code}/tep/{forged}/")
        assert r.status_code == 404
        assert_no_data(r, scene)
    # a component link cannot open a document row of the same id (kind is signed in)
    document = scene["returned"].documents.get(kind=DossierDocument.Kind.RESULT)
    as_doc = links.make_token(
        lan, dossier_id=processing.pk, document_id=mine.pk, name=mine.file.name
    )
    assert client.get(f"/cong-dan/ho-so/{processing.code}/tep/{as_doc}/").status_code == 404
    assert document.pk  # untouched


def test_a_result_not_ready_or_unsigned_is_not_listed(client, world, scene):
    d = drive(world, Status.AWAITING_APPROVAL)
    DossierDocument.objects.create(
        dossier=d, kind=DossierDocument.Kind.RESULT, file="x.pdf", created_at=d.submitted_at
    )
    client.force_login(scene["lan"], backend=BACKEND)
    assert d.code not in client.get("/cong-dan/giay-to/").content.decode()


def test_hostile_page_numbers_never_answer_5xx(client, scene):
    client.force_login(scene["lan"], backend=BACKEND)
    for query in ({"trang": "'\x00"}, {"trang": "9" * 30}, {"trang": "-1"}, {"q": "Đ" * 5000}):
        assert client.get("/cong-dan/giay-to/", query).status_code < 500


def test_papers_are_paginated_newest_first(client, scene):
    for n in range(21):
        filed(scene["processing"], name=f"Giấy tờ số {n:02d}")
    client.force_login(scene["lan"], backend=BACKEND)
    first = client.get("/cong-dan/giay-to/").content.decode()
    assert first.count('data-testid="my-paper"') == 20 and "Trang 1/2" in first
    assert "Giấy tờ số 20" in first  # the newest row of the same dossier first
    second = client.get("/cong-dan/giay-to/", {"trang": "2"}).content.decode()
    assert second.count('data-testid="my-paper"') == 2  # a filed paper and the result
    assert "Giấy tờ số 00" in second
