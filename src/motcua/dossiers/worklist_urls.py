"""Worklists and the dossier page (mounted at can-bo/ho-so/)."""

from django.urls import path

from . import worklist_views as views

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("phan-cong/", views.worklist_bulk_assign, name="worklist_bulk_assign"),
    path("<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("<int:pk>/ky-so/", views.dossier_sign_confirm, name="dossier_sign_confirm"),
    path("<int:pk>/thao-tac/<slug:action>/", views.dossier_action, name="dossier_action"),
    path("<int:pk>/van-ban/<int:doc_pk>/", views.dossier_document, name="dossier_document"),
    path("<int:pk>/tep/<str:token>/", views.dossier_file, name="dossier_file"),
    path(
        "<int:pk>/xin-loi/<int:ext_pk>/",
        views.dossier_apology_letter,
        name="dossier_apology_letter",
    ),
]
