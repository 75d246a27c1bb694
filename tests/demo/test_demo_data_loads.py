"""`load_demo` gives a working commune: real units, villages, every role, a real catalog.

Commands are called as instances so these tests run whether or not `motcua.demo` is in
INSTALLED_APPS yet (the app has no models).
"""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.catalog.models import GuideStep, HowToGuide, Procedure
from motcua.core.management.commands.load_units import DEFAULT_FILE, read_units_file
from motcua.core.models import AuditEvent, Counter, Department, Unit, Village
from motcua.demo import services
from motcua.demo.management.commands import demo_logins as demo_logins_command
from motcua.demo.management.commands import load_demo as load_demo_command
from motcua.eforms import selectors
from motcua.eforms.models import FormSchema

pytestmark = pytest.mark.django_db

DEMO_COMMUNE = "11824"  # Xã Vĩnh Bảo, Thành phố Hải Phòng
SECOND_COMMUNE = "11836"  # Xã Vĩnh Thịnh


def load_demo() -> str:
    out = io.StringIO()
    call_command(load_demo_command.Command(), stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "villages": Village.objects.count(),
        "departments": Department.objects.count(),
        "counters": Counter.objects.count(),
        "users": User.objects.count(),
        "assignments": StaffAssignment.objects.count(),
        "procedures": Procedure.objects.count(),
        "published": Procedure.objects.filter(is_published=True).count(),
        "guides": HowToGuide.objects.count(),
        "guide_steps": GuideStep.objects.count(),
        "form_schemas": FormSchema.objects.count(),
    }


def test_load_demo_twice_keeps_the_same_data_and_a_changed_password():
    load_demo()
    first = counts()
    officer = User.objects.get(username="vb.motcua1")
    officer.set_password("mat-khau-rieng-cua-toi-2026")
    officer.save()

    load_demo()

    assert counts() == first
    officer.refresh_from_db()
    assert officer.check_password("mat-khau-rieng-cua-toi-2026")
    assert not officer.check_password(services.DEMO_PASSWORD)


def test_every_role_has_a_demo_login_that_can_sign_in():
    load_demo()
    commune = Unit.objects.get(code=DEMO_COMMUNE)
    for role in Role.values:
        holders = StaffAssignment.objects.filter(unit=commune, role=role, is_active=True)
        assert holders.exists(), f"no demo user with role {role}"
        assert holders.first().user.check_password(services.DEMO_PASSWORD)
    specialists = StaffAssignment.objects.filter(unit=commune, role=Role.SPECIALIST)
    assert specialists.values("department").distinct().count() == 2
    assert StaffAssignment.objects.filter(role=Role.COUNTER_OFFICER, unit=commune).count() == 2
    team = StaffAssignment.objects.get(unit=commune, role=Role.DIGITAL_TEAM)
    assert team.village is not None and team.village.unit == commune
    province_manager = StaffAssignment.objects.get(user__username="hp.quanly")
    assert province_manager.unit.code == "31" and province_manager.role == Role.MANAGER


def test_second_commune_has_its_own_staff_and_procedures():
    load_demo()
    second = Unit.objects.get(code=SECOND_COMMUNE)
    assert StaffAssignment.objects.filter(unit=second).count() >= 3
    assert 0 < Procedure.objects.filter(unit=second).count() < 20


def test_at_least_forty_real_procedures_are_imported_with_national_codes():
    load_demo()
    procedures = Procedure.objects.filter(unit__code=DEMO_COMMUNE)
    assert procedures.count() >= 40
    assert all(p.code.count(".") == 1 and len(p.code) == 8 for p in procedures)
    assert procedures.filter(code="1.001193", name="Thủ tục đăng ký khai sinh").exists()
    # procedures without a known processing time stay drafts; the rest are public
    assert 0 < procedures.filter(is_published=True).count() < procedures.count()
    khai_sinh = procedures.get(code="1.001193")
    assert list(khai_sinh.steps.values_list("department_kind", flat=True)) == [
        "service_centre",
        "office",
        "office",
        "service_centre",
    ]
    assert sum(s.days for s in khai_sinh.steps.all()) == khai_sinh.processing_days


def test_guides_for_common_procedures_are_published():
    load_demo()
    guides = HowToGuide.objects.filter(procedure__unit__code=DEMO_COMMUNE, is_published=True)
    codes = set(guides.values_list("procedure__code", flat=True))
    assert {"1.001193", "1.000894", "2.000815", "1.004873", "1.000656"} <= codes
    assert all(g.steps.count() >= 4 for g in guides)


def test_declarations_are_published_for_the_frequent_procedures_by_national_code():
    load_demo()
    published = FormSchema.objects.filter(
        procedure__unit__code=DEMO_COMMUNE, status=FormSchema.Status.PUBLISHED
    )
    codes = set(published.values_list("procedure__code", flat=True))
    assert len(codes) >= 10
    assert {"1.001193", "1.000656", "1.000894", "1.004873", "2.000635", "2.000815"} <= codes
    birth = selectors.current_for(Procedure.objects.get(unit__code=DEMO_COMMUNE, code="1.001193"))
    assert birth.name == "Tờ khai đăng ký khai sinh" and "04/2024/TT-BTP" in birth.form_number


def test_demo_commune_has_villages_with_working_age_population():
    load_demo()
    commune = Unit.objects.get(code=DEMO_COMMUNE)
    villages = Village.objects.filter(unit=commune)
    assert 8 <= villages.count() <= 14
    assert all(0 < v.working_age_population < v.population for v in villages)
    assert commune.agency_code and commune.address
    assert Counter.objects.filter(unit=commune).count() == 6
    kinds = set(Department.objects.filter(unit=commune).values_list("kind", flat=True))
    assert kinds == {"office", "economy", "culture_society", "service_centre"}


def test_all_communes_of_hai_phong_are_loaded_under_the_province():
    expected = read_units_file(DEFAULT_FILE)
    call_command("load_units", stdout=io.StringIO())
    province = Unit.objects.get(code="31")
    assert province.name == "Thành phố Hải Phòng" and province.kind == Unit.Kind.PROVINCE
    assert province.children.count() == len(expected["units"]) == 114
    assert province.children.filter(kind=Unit.Kind.SPECIAL_ZONE).count() == 2
    assert Unit.objects.get(code=DEMO_COMMUNE).name == "Xã Vĩnh Bảo"
    assert AuditEvent.objects.filter(action="units.loaded").count() == 1
    call_command("load_units", stdout=io.StringIO())  # nothing changed: nothing audited
    assert AuditEvent.objects.filter(action="units.loaded").count() == 1


def test_load_units_rejects_a_broken_file_with_a_clear_message(tmp_path):
    bad = tmp_path / "units.json"
    bad.write_text('{"province": {"code": "31"}}', encoding="utf-8")
    with pytest.raises(Exception, match="thiếu 'province'"):
        call_command("load_units", file=str(bad), stdout=io.StringIO())
    assert not Unit.objects.exists()


@override_settings(SECURE=True)
def test_no_demo_logins_are_created_or_shown_in_secure_mode():
    output = load_demo()
    assert "DJANGO_SECURE=1" in output
    assert not User.objects.exists()
    assert Procedure.objects.filter(unit__code=DEMO_COMMUNE).count() >= 40
    with pytest.raises(services.DemoRefused):
        services.ensure_staff(specs=services.read_json(services.COMMUNES_FILE)["staff"])
    listing = io.StringIO()
    call_command(demo_logins_command.Command(), stdout=listing)
    assert services.DEMO_PASSWORD not in listing.getvalue()


def test_demo_logins_lists_urls_and_every_account():
    load_demo()
    out = io.StringIO()
    call_command(demo_logins_command.Command(), url="http://xa.example:8106/", stdout=out)
    text = out.getvalue()
    for path in ["/thu-tuc/", "/can-bo/dang-nhap/", "/quan-tri/", "/api/docs/", "/healthz"]:
        assert f"http://xa.example:8106{path}" in text
    for username in ["vb.motcua1", "vb.lanhdao", "vb.tocns", "vt.motcua", "hp.quanly"]:
        assert username in text
    assert services.DEMO_PASSWORD in text


def test_province_system_administrator_can_open_the_admin_but_commune_staff_cannot(client):
    load_demo()
    client.force_login(User.objects.get(username="hp.quantri"))
    assert client.get("/quan-tri/").status_code == 200
    client.force_login(User.objects.get(username="vb.motcua1"))
    assert client.get("/quan-tri/", follow=True).status_code == 403


def test_digital_team_member_is_assigned_to_a_village_named_once():
    load_demo()
    assignment = StaffAssignment.objects.get(user__username="vb.tocns")
    assert assignment.village is not None
    assert str(assignment.village) == "Thôn 1"
