"""The assisted filing pages: the helper's screens under /can-bo/ho-tro-nop/, the citizen's
confirmation under /nop-truc-tuyen/ho-tro/<code>/, and the filing pages the helper walks for
that one draft; refusals by role, unit, person, code and draft."""

import re

from django.test import Client
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.filing import services
from motcua.filing.models import AssistSession
from tests.dossiers.factories import make_staff

from .factories import HUNG, LAN, make_citizen


def _begin(client, fw, officer=None, citizen_id=LAN):
    client.force_login(officer or fw.officer)
    page = client.get(reverse("assist:home"))
    assert page.status_code == 200
    assert f'value="{fw.birth.pk}"' in page.content.decode()
    response = client.post(
        reverse("assist:home"),
        {"don-vi": fw.commune.pk, "so-dinh-danh": citizen_id, "thu-tuc": fw.birth.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session = AssistSession.objects.latest("id")
    assert response["Location"] == reverse("assist:session", args=[session.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    code = re.search(r'data-testid="assist-code">(\w{4})-(\w{4})<', html)
    assert code, html
    assert 'data-testid="assist-qr"' in html
    return session, code.group(1) + code.group(2)


def test_the_link_is_shown_to_helpers_only_and_others_are_refused(fw, client):
    team = make_staff((Role.DIGITAL_TEAM, fw.commune))
    specialist = make_staff((Role.SPECIALIST, fw.commune))
    for user, shown in ((fw.officer, True), (team, True), (specialist, False)):
        client.force_login(user)
        home = client.get(reverse("accounts:home")).content.decode()
        assert (reverse("assist:home") in home) is shown, user
        assert client.get(reverse("assist:home")).status_code == (200 if shown else 403)
    client.force_login(specialist)
    response = client.post(
        reverse("assist:home"),
        {"don-vi": fw.commune.pk, "so-dinh-danh": LAN, "thu-tuc": fw.birth.pk},
    )
    assert response.status_code == 403
    lan = make_citizen(LAN)
    client.force_login(lan)
    assert client.get(reverse("assist:home")).status_code in (302, 403)
    assert not AssistSession.objects.exists()


def test_another_units_officer_cannot_start_here_nor_open_a_session(fw, client):
    session, _code = _begin(client, fw)
    other = make_staff((Role.COUNTER_OFFICER, fw.other))
    client.force_login(other)
    response = client.post(
        reverse("assist:home"),
        {"don-vi": fw.commune.pk, "so-dinh-danh": LAN, "thu-tuc": fw.birth.pk},
    )
    assert response.status_code == 400  # not a unit of theirs
    assert client.get(reverse("assist:session", args=[session.pk])).status_code == 403
    response = client.post(reverse("assist:registry", args=[session.pk]), {"da-kiem-tra-the": "1"})
    assert response.status_code == 403
    assert AssistSession.objects.count() == 1


def test_lan_confirms_on_her_phone_and_the_officer_walks_the_filing_pages(fw, client):
    session, code = _begin(client, fw)
    lan = make_citizen(LAN)
    phone = Client()
    url = reverse("filing:assist_confirm", args=[code])
    response = phone.get(url)
    assert response.status_code == 302 and "/cong-dan/dang-nhap/" in response["Location"]
    phone.force_login(lan)
    page = phone.get(url).content.decode()
    assert fw.officer.full_name in page and "Đăng ký khai sinh" in page
    assert phone.post(url, {}).status_code == 400  # no "Đồng ý"
    confirmed = phone.post(url, {"dong-y": "1"})
    assert confirmed.status_code == 200 and 'data-testid="assist-confirmed"' in (
        confirmed.content.decode()
    )
    assert phone.post(url, {"dong-y": "1"}).status_code == 410  # single use
    session.refresh_from_db()
    draft = session.draft
    assert draft.citizen == lan
    # the officer's page now leads into Lan's draft, the filing pages render for him
    page = client.get(reverse("assist:session", args=[session.pk])).content.decode()
    step_url = reverse("filing:step", args=[draft.pk, draft.step])
    assert step_url in page
    step = client.get(step_url)
    assert step.status_code == 200
    assert "Bạn đang khai hồ sơ giúp công dân Nguyễn Thị Lan" in step.content.decode()
    # but not another draft: Hùng's own, or through a URL of the citizen's pages
    hung = make_citizen(HUNG)
    hungs = services.start(citizen=hung, procedure=fw.birth)
    for name, args in (
        ("filing:step", [hungs.pk, hungs.step]),
        ("filing:review", [hungs.pk]),
        ("filing:submit", [hungs.pk]),
        ("filing:delivery", [hungs.pk]),
    ):
        assert client.post(reverse(name, args=args), {"x": "1"}).status_code in (403, 405)
    assert client.get(reverse("filing:home")).status_code == 403
    # a colleague of the same unit who is not helping her
    colleague = make_staff((Role.COUNTER_OFFICER, fw.commune))
    client.force_login(colleague)
    assert client.get(step_url).status_code == 403
    assert client.post(step_url, {}).status_code == 403


def test_another_citizen_cannot_confirm_and_a_bad_code_is_gone(fw, client):
    session, code = _begin(client, fw)  # Lan's ID entered
    hung = make_citizen(HUNG)
    phone = Client()
    phone.force_login(hung)
    url = reverse("filing:assist_confirm", args=[code])
    refused = phone.post(url, {"dong-y": "1"})
    assert refused.status_code == 403
    assert 'data-testid="assist-wrong-citizen"' in refused.content.decode()
    session.refresh_from_db()
    assert session.status == AssistSession.Status.PENDING and session.draft is None
    bad = phone.get(reverse("filing:assist_confirm", args=["ZZZZZZZZ"]))
    assert bad.status_code == 410


def test_the_officer_confirms_through_the_registry(fw, client):
    session, _code = _begin(client, fw, citizen_id=HUNG)
    url = reverse("assist:registry", args=[session.pk])
    unchecked = client.post(url, {})
    assert unchecked.status_code == 400
    response = client.post(url, {"da-kiem-tra-the": "1"})
    session.refresh_from_db()
    assert session.status == AssistSession.Status.CONFIRMED
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "filing:step", args=[session.draft.pk, session.draft.step]
    )
    # the code of a confirmed session opens nothing any more
    assert client.post(url, {"da-kiem-tra-the": "1"}).status_code == 302
