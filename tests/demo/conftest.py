import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Demo loads create a dozen accounts; the real hasher would make each test seconds slower."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_dossier_history_unless_asked(settings):
    """The six-month dossier history costs seconds per load; only test_demo_dossiers needs it
    (it loads it once per module with the setting on)."""
    settings.MOTCUA_DEMO_DOSSIER_HISTORY = False
