"""Units, staff, and settings that point the adapters at local peers and a private VAR_DIR."""

import pytest
from huey.contrib.djhuey import HUEY

from motcua.accounts.models import StaffAssignment, User
from motcua.core.models import Unit

from .peers import PushService, SmsGateway

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _integration_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_MODE = "production"
    settings.MOTCUA_SMS_URL = ""
    settings.MOTCUA_SMS_TOKEN = "sms-token-test"
    settings.MOTCUA_PUSH_ALLOW_INSECURE = True
    settings.MOTCUA_VAPID_PRIVATE_KEY = ""
    settings.MOTCUA_VAPID_PUBLIC_KEY = ""
    settings.MOTCUA_VAPID_SUBJECT = "mailto:motcua@thachha.gov.vn"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.thachha.gov.vn"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Tasks run inline (huey's in-memory mode), never into the development queue file."""
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


@pytest.fixture
def units(db):
    ha_tinh = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    thach_ha = Unit.objects.create(
        code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE, parent=ha_tinh
    )
    cam_xuyen = Unit.objects.create(
        code="18074", name="Xã Cẩm Xuyên", kind=Unit.Kind.COMMUNE, parent=ha_tinh
    )
    return {"ha_tinh": ha_tinh, "thach_ha": thach_ha, "cam_xuyen": cam_xuyen}


@pytest.fixture
def make_staff(db):
    counter = {"n": 0}

    def make(*roles_and_units):
        counter["n"] += 1
        user = User.objects.create(
            username=f"canbo{counter['n']}", full_name=f"Trần Thị Cán Bộ {counter['n']}"
        )
        for role, unit in roles_and_units:
            StaffAssignment.objects.create(user=user, unit=unit, role=role)
        return user

    return make


@pytest.fixture
def login_as(client):
    def login(user):
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return login


@pytest.fixture
def push_service():
    with PushService() as peer:
        yield peer


@pytest.fixture
def sms_gateway(settings):
    with SmsGateway() as peer:
        settings.MOTCUA_SMS_URL = f"{peer.origin}/api/sms"
        yield peer
