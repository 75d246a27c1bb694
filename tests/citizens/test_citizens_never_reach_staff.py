"""A signed-in citizen never reaches a staff page: every route the URL resolver has under
/can-bo/ (the staff area) and /quan-tri/ (the admin site) answers 403 or a staff sign-in
redirect, to GET and to POST; the API takes no write from them. Also the level gate."""

import datetime as dt
import uuid

import pytest
from django.contrib import admin
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from motcua.accounts.models import User
from motcua.citizens import services
from motcua.citizens.claims import Claims
from motcua.citizens.decorators import citizen_required
from motcua.citizens.models import CitizenIdentity

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.uuid4())}


def _citizen(level: int, subject: str = "s-1") -> User:
    return services.sign_in(
        issuer="https://id.example",
        claims=Claims(
            subject=subject,
            citizen_id="031190012345" if level == 2 else "031085067890",
            full_name="Nguyễn Thị Lan" if level == 2 else "Trần Văn Hùng",
            date_of_birth=dt.date(1990, 3, 14),
            sex="female",
            address="Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng",
            identity_level=level,
        ),
    )


def _routes(resolver=None, prefix=""):
    """(route with converters filled, name) for every RoutePattern path; regex parts skipped
    (the admin's app index, reached below by name)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if not isinstance(pattern, RoutePattern):
            continue
        part = str(pattern)
        for name, converter in pattern.converters.items():
            kind = type(converter).__name__.removesuffix("Converter").lower()
            part = part.replace(f"<{kind}:{name}>", SAMPLE.get(kind, "1"))
            part = part.replace(f"<{name}>", "x")
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + part)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part


# The doors, not pages behind them: the staff sign-in and its code step (which send a signed-in
# person on to the staff home, a 403 for a citizen) and sign-out (which only ends a session).
DOORS = {
    "/can-bo/dang-nhap/",
    "/can-bo/dang-nhap/ma-xac-thuc/",
    "/can-bo/dang-xuat/",
    "/quan-tri/logout/",
}


def _staff_urls() -> list[str]:
    urls = {u for u in _routes() if u.startswith(("/can-bo/", "/quan-tri/"))} - DOORS
    for model in admin.site._registry:
        meta = model._meta
        urls.add(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.add(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        urls.add(reverse("admin:app_list", args=[meta.app_label]))
    return sorted(urls)


def _refused(response) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith("/can-bo/dang-nhap/") or "/quan-tri/login/" in location
    )


def test_a_citizen_reaches_no_staff_page(client):
    client.force_login(_citizen(2), backend="django.contrib.auth.backends.ModelBackend")
    urls = _staff_urls()
    assert len(urls) > 60  # the enumeration found the staff area and the admin
    reached = [
        (method, url, response.status_code)
        for url in urls
        for method in ("get", "post")
        for response in [getattr(client, method)(url)]
        if not _refused(response)
    ]
    assert reached == []
    assert client.get("/cong-dan/").status_code == 200  # still signed in all along
    # and the gate itself said no, not a missing row
    assert client.get("/can-bo/").status_code == 403
    for door in ("/can-bo/dang-nhap/", "/can-bo/dang-nhap/ma-xac-thuc/"):
        assert client.get(door, follow=True).status_code in (200, 403)
        assert not client.get(door, follow=True).context["user"].is_staff_member
    assert client.get("/quan-tri/").status_code == 302


def test_a_citizen_cannot_write_through_the_api(client):
    client.force_login(_citizen(2), backend="django.contrib.auth.backends.ModelBackend")
    api = [u for u in _routes() if u.startswith("/api/")]
    assert api
    for url in api:
        for method in ("post", "put", "patch", "delete"):
            status = getattr(client, method)(url, content_type="application/json").status_code
            assert status in (403, 404, 405), (method, url, status)


def test_a_citizen_account_holds_no_staff_power():
    user = _citizen(2)
    assert user.kind == User.Kind.CITIZEN and not user.is_staff_member
    assert not (user.is_staff or user.is_superuser or user.assignments.exists())
    assert not user.has_usable_password()  # the staff sign-in form cannot open it


def test_level_two_procedures_turn_a_level_one_citizen_away(rf):
    view = citizen_required(level=2)(lambda request: HttpResponse("nộp hồ sơ"))
    request = rf.get("/thu-tuc/x/nop/")
    request.user = _citizen(1)
    response = view(request)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Cần tài khoản định danh điện tử mức 2" in page
    assert "mức 1" in page
    with pytest.raises(services.LevelTooLow):
        services.require_level(request.user, 2)

    request.user = _citizen(2, subject="s-2")
    assert view(request).content.decode() == "nộp hồ sơ"
    assert services.require_level(request.user, 2).identity_level == 2


def test_citizen_pages_send_strangers_to_sign_in_and_refuse_staff(rf, client):
    response = client.get("/cong-dan/")
    assert response.status_code == 302
    assert response["Location"] == "/cong-dan/dang-nhap/?next=%2Fcong-dan%2F"
    staff = User.objects.create_user(username="canbo", password="x", kind=User.Kind.STAFF)
    client.force_login(staff)
    assert client.get("/cong-dan/").status_code == 403


def test_sign_in_closed_when_no_provider_is_configured(client, settings):
    settings.MOTCUA_OIDC_ISSUER = ""
    response = client.get("/cong-dan/dang-nhap/")
    assert response.status_code == 404
    assert "Chưa mở đăng nhập bằng tài khoản định danh điện tử" in response.content.decode()
    assert client.get("/cong-dan/dang-nhap/xong/?code=a&state=b").status_code == 404
    assert client.get("/cong-dan/dang-xuat/").status_code == 405


def test_sign_in_attempts_are_rate_limited(client, settings):
    settings.MOTCUA_OIDC_ISSUER = "http://127.0.0.1:9"  # discard: refused at once
    settings.MOTCUA_OIDC_CLIENT_ID = "c"
    settings.MOTCUA_OIDC_CLIENT_SECRET = "s"
    settings.MOTCUA_OIDC_RATE_PER_MINUTE = 3
    statuses = [client.get("/cong-dan/dang-nhap/").status_code for _ in range(3)]
    statuses += [client.get("/cong-dan/dang-nhap/xong/?state=x&code=y").status_code]
    assert statuses == [502, 502, 502, 429]
    assert "quá nhiều lần" in client.get("/cong-dan/dang-nhap/").content.decode()


def test_sign_in_refreshes_the_identity_and_audits_without_the_number():
    from motcua.core.models import AuditEvent

    first = _citizen(1)
    later = timezone.now()
    again = _citizen(1)
    assert first == again
    assert CitizenIdentity.objects.get(user=again).last_signed_in_at >= later
    for event in AuditEvent.objects.filter(action="citizen.sign_in"):
        assert "031085067890" not in f"{event.changes} {event.object_repr}"
