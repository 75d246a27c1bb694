"""The digitization screen, mounted at /can-bo/so-hoa/ (names "dossiers:defects*")."""

from django.urls import path

from . import defect_views as views

urlpatterns = [
    path("", views.page, name="defects"),
    path("xuat.xlsx", views.export, name="defects_export"),
    path("chi-so/<slug:key>/<slug:side>/", views.figure_list, name="digitization_list"),
]
