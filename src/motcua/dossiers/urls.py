"""Dossier pages: the counter screen, worklists and dossier pages, public tracking.

Each group lives in its own module so the screens can grow without one large views file.
"""

from django.urls import include, path

app_name = "dossiers"
urlpatterns = [
    path("can-bo/mot-cua/", include("motcua.dossiers.counter_urls")),
    path("can-bo/ho-so/", include("motcua.dossiers.worklist_urls")),
    path("can-bo/so-hoa/", include("motcua.dossiers.defect_urls")),
    path("tra-cuu/", include("motcua.dossiers.tracking_urls")),
]
