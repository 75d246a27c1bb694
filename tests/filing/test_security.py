"""A citizen never reaches another citizen's draft: every filing route that takes a draft id,
opened (GET and POST) with someone else's ids, is a 404; a staff account cannot use any of them;
nobody signed out gets past the sign-in. The routes are enumerated from the URLconf, so a new
one is checked without editing this test."""

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse

from motcua.accounts.models import Role
from motcua.dossiers.models import Dossier
from motcua.filing import services
from motcua.filing.models import Draft, DraftPaper
from tests.dossiers.factories import make_staff

from .factories import HUNG, LAN, make_citizen


def filing_routes() -> list[tuple[str, list[str]]]:
    """(url name, path parameters) of every route in the filing namespace."""
    namespace = get_resolver().namespace_dict["filing"][1]
    found = {
        name: list(entries[0][3])
        for name, entries in namespace.reverse_dict.lists()
        if isinstance(name, str)
    }
    return sorted(found.items())


@pytest.fixture
def two_drafts(fw):
    lan, hung = make_citizen(LAN), make_citizen(HUNG)
    mine = services.start(citizen=lan, procedure=fw.birth)
    theirs = services.start(citizen=hung, procedure=fw.birth)
    component = services.papers_for(theirs)[0]
    paper = DraftPaper(draft=theirs, component=component, pages=1, added_at=theirs.started_at)
    paper.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return lan, hung, mine, theirs, paper


def _url(name: str, params: list[str], draft: Draft, paper: DraftPaper, procedure_id: int) -> str:
    values = {"draft_id": draft.pk, "paper_id": paper.pk, "key": draft.step or "me"}
    values["procedure_id"] = procedure_id
    values["code"] = "ABCD2345"  # an assisted filing code (none issued here)
    return reverse(f"filing:{name}", kwargs={p: values[p] for p in params})


def test_every_route_is_enumerated(fw):
    names = {name for name, _p in filing_routes()}
    assert {"home", "start", "step", "case", "papers", "paper_file", "delivery", "review"} <= names
    assert {"submit", "done", "receipt", "sign", "signed_file"} <= names


def test_another_citizens_draft_is_a_404_on_every_route(fw, client, two_drafts):
    lan, _hung, mine, theirs, paper = two_drafts
    client.force_login(lan)
    checked = 0
    for name, params in filing_routes():
        if "draft_id" not in params:
            continue
        url = _url(name, params, theirs, paper, fw.birth.pk)
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"action": "remove", "giay-to": paper.pk}).status_code in (
            404,
            405,
        ), url
        checked += 1
    assert checked == 11  # with 'Ký tờ khai' and the signed declaration (decisions/0038)
    theirs.refresh_from_db()
    assert theirs.status == "open" and theirs.papers.count() == 1
    assert not Dossier.objects.exists()
    # her own paper id under her own draft, and his paper id under her draft: 404 too
    url = reverse("filing:paper_file", args=[mine.pk, paper.pk])
    assert client.get(url).status_code == 404


def test_a_staff_account_cannot_use_any_filing_page(fw, client, two_drafts):
    """Not even the receiving unit's officer, without an assist session for that draft."""
    _lan, _hung, mine, _theirs, paper = two_drafts
    officer = make_staff((Role.COUNTER_OFFICER, fw.commune))
    client.force_login(officer)
    for name, params in filing_routes():
        url = _url(name, params, mine, paper, fw.birth.pk)
        assert client.get(url).status_code in (403, 405), url
        assert client.post(url).status_code in (403, 405), url


def test_signed_out_every_page_asks_for_the_identity_sign_in(fw, client, two_drafts):
    _lan, _hung, mine, _theirs, paper = two_drafts
    for name, params in filing_routes():
        url = _url(name, params, mine, paper, fw.birth.pk)
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("citizens:start")), url
