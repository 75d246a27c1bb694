"""ASGI entry of the development identity provider (`uvicorn motcua_devidp.asgi:application`)."""

import os

from django.core.asgi import get_asgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "motcua_devidp.settings"  # never motcua's
application = get_asgi_application()
