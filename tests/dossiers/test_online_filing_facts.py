"""What the citizens' form measured is kept per online dossier and shown to managers per
procedure: time from sign-in to submission, fields typed, who helped at the centre."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from motcua.accounts.models import Role, User
from motcua.dossiers import selectors, services
from motcua.dossiers.models import OnlineFiling

from .factories import applicant, at, make_procedure, make_staff

SIGNED_IN = at(2026, 11, 2, 9, 0)


def citizen(n=1) -> User:
    return User.objects.create_user(username=f"cd{n}", password=None, kind=User.Kind.CITIZEN)


def file_online(world, *, seconds, typed, procedure=None, key="", **facts):
    return services.submit_online(
        None,
        procedure=procedure or world.procedure,
        receiving_unit=world.commune,
        applicant=applicant(),
        at=SIGNED_IN + dt.timedelta(seconds=seconds),
        idempotency_key=key,
        filing=services.FilingFacts(
            signed_in_at=SIGNED_IN, typed_fields=typed, prefilled_fields=14, **facts
        ),
    )


def test_the_time_from_sign_in_and_the_typed_fields_are_kept_with_the_dossier(world):
    who = citizen()
    dossier = file_online(world, seconds=95, typed=3, citizen=who, reused_documents=1)
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert (filing.seconds_to_submit, filing.typed_fields, filing.prefilled_fields) == (95, 3, 14)
    assert (filing.citizen, filing.reused_documents, filing.assisted_by) == (who, 1, None)
    created = dossier.events.get()  # the dossier's first event says how it was filed
    assert created.data["filing"] == {"seconds_to_submit": 95, "typed_fields": 3}


def test_a_double_submit_keeps_one_dossier_and_one_filing_row(world):
    first = file_online(world, seconds=60, typed=2, key="k-1")
    again = file_online(world, seconds=61, typed=2, key="k-1")
    assert first.pk == again.pk
    assert OnlineFiling.objects.filter(dossier=first).count() == 1


def test_assisted_filing_records_the_officer_and_needs_the_citizens_confirmation(world):
    dossier = file_online(
        world,
        seconds=240,
        typed=9,
        assisted_by=world.officer,
        confirmed_by=OnlineFiling.Confirmed.REGISTRY,
    )
    assert dossier.online_filing.assisted_by == world.officer
    with pytest.raises(ValidationError):
        file_online(world, seconds=240, typed=9, assisted_by=world.officer)  # no confirmation


def test_only_the_units_counter_officers_and_digital_team_may_assist(world):
    for stranger in (world.specialist, world.other_officer, citizen(2)):
        with pytest.raises(PermissionDenied):
            file_online(
                world,
                seconds=100,
                typed=1,
                assisted_by=stranger,
                confirmed_by=OnlineFiling.Confirmed.CITIZEN_SIGN_IN,
            )
    team = make_staff((Role.DIGITAL_TEAM, world.commune))
    dossier = file_online(world, seconds=100, typed=1, assisted_by=team, confirmed_by="sign_in")
    assert dossier.online_filing.assisted_by == team
    assert OnlineFiling.objects.count() == 1  # the refused ones left nothing behind


@pytest.mark.parametrize(
    "facts",
    [
        {"typed_fields": -1},
        {"typed_fields": 10_001},
        {"signed_in_at": SIGNED_IN + dt.timedelta(hours=1)},  # after the submission
    ],
)
def test_impossible_figures_are_refused(world, facts):
    with pytest.raises(ValidationError):
        services.submit_online(
            None,
            procedure=world.procedure,
            receiving_unit=world.commune,
            applicant=applicant(),
            at=SIGNED_IN + dt.timedelta(minutes=2),
            filing=services.FilingFacts(**{"signed_in_at": SIGNED_IN, **facts}),
        )
    assert not OnlineFiling.objects.exists()


def test_figures_per_procedure_medians_means_and_the_assisted_share(world):
    other = make_procedure(world.commune, name="Đăng ký kết hôn")
    for seconds, typed in ((60, 1), (120, 3), (600, 8)):
        file_online(world, seconds=seconds, typed=typed)
    file_online(
        world,
        seconds=300,
        typed=5,
        procedure=other,
        assisted_by=world.officer,
        confirmed_by="registry",
    )
    total, rows = selectors.online_filing_figures(
        [world.commune.pk], at(2026, 11, 1, 0), at(2026, 11, 3, 0)
    )
    assert (total.dossiers, total.assisted, total.median_seconds) == (4, 1, 210.0)
    first, second = rows
    assert (first.procedure_name, first.dossiers) == ("Đăng ký khai sinh", 3)
    assert (first.median_seconds, first.mean_seconds, first.median_typed) == (120.0, 260.0, 3.0)
    assert (second.dossiers, second.assisted_percent) == (1, 100.0)
    # another unit's figures are not in this unit's
    none, _rows = selectors.online_filing_figures(
        [world.other.pk], at(2026, 11, 1, 0), at(2026, 11, 3, 0)
    )
    assert none.dossiers == 0 and none.median_seconds is None


def test_managers_see_the_page_specialists_and_citizens_do_not(world, client, clock):
    clock.set(at(2026, 11, 20, 10))
    file_online(world, seconds=75, typed=2)
    url = reverse("reports:online_filing")
    client.force_login(world.manager)
    page = client.get(url, {"tu_ngay": "2026-11-01", "den_ngay": "2026-11-20"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 phút 15 giây" in html and "Đăng ký khai sinh" in html
    # another commune's unit id is not one of theirs: 404, not its figures
    assert client.get(url, {"don_vi": world.other.pk}).status_code == 404
    assert client.get(url, {"tu_ngay": "2026-11-20", "den_ngay": "2026-11-01"}).status_code == 400
    client.force_login(world.specialist)
    assert client.get(url).status_code == 403
    client.force_login(citizen(3))
    assert client.get(url).status_code == 403


def test_the_empty_period_says_so(world, client, clock):
    clock.set(at(2026, 11, 20, 10))
    client.force_login(world.manager)
    page = client.get(reverse("reports:online_filing"))
    assert page.status_code == 200
    assert "Chưa có hồ sơ nộp trực tuyến" in page.content.decode()


def test_the_dossier_page_says_how_it_was_filed(world, client):
    dossier = file_online(
        world, seconds=95, typed=3, assisted_by=world.officer, confirmed_by="registry"
    )
    client.force_login(world.officer)
    html = client.get(reverse("dossiers:dossier_detail", args=[dossier.pk])).content.decode()
    assert "1 phút 35 giây từ lúc đăng nhập" in html and "3 trường phải gõ" in html
    assert f"được {world.officer.full_name} hỗ trợ nộp" in html
