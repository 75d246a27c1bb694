import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Demo loads create a dozen accounts; the real hasher would make each test seconds slower."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
