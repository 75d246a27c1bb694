"""Error pages speak Vietnamese to villagers, with DEBUG off as in production."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from motcua import urls as project_urls
from motcua.core import views as core_views


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("tampered form")


def _crash(request):
    raise RuntimeError("bug in a view")


# Test-only URL map: the real site plus views that fail; the real handlers from motcua.urls.
urlpatterns = [
    path("loi/403", _forbidden),
    path("loi/400", _suspicious),
    path("loi/500", _crash),
    path("", include(project_urls.urlpatterns)),
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def production_mode(settings):
    settings.DEBUG = False


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def _text(response) -> str:
    return response.content.decode()


def test_missing_page_says_so_in_vietnamese(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = _text(response)
    assert 'lang="vi"' in html
    assert "Không tìm thấy trang" in html
    assert "Về trang chủ" in html
    assert "Not Found" not in html


def test_forbidden_page_says_so_in_vietnamese(client):
    response = client.get("/loi/403")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in _text(response)


def test_bad_request_page_says_so_in_vietnamese(client):
    response = client.get("/loi/400")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in _text(response)


def test_crash_shows_an_apology_not_a_traceback(client):
    response = client.get("/loi/500")
    assert response.status_code == 500
    html = _text(response)
    assert "Hệ thống đang gặp sự cố" in html
    assert "RuntimeError" not in html and "Traceback" not in html


def test_crash_page_does_not_touch_the_database(rf, django_user_model):
    """When the database is what failed, the 500 page must still render."""
    request = rf.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = core_views.server_error(request)
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()
    assert len(queries) == 0


def test_expired_form_explains_to_reload_instead_of_csrf_jargon(settings):
    settings.CSRF_FAILURE_VIEW = "motcua.core.views.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    html = _text(response)
    assert "Trang đã hết hạn" in html and "tải lại trang" in html
    assert "CSRF verification failed" not in html
