"""Worklists and the dossier page (mounted at can-bo/ho-so/)."""

from django.urls import path

from . import defect_views
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
    # fixes of digitization defects (decisions/0034)
    path("<int:pk>/bo-sung-van-ban/", defect_views.fix_paper, name="defect_fix_paper"),
    path(
        "<int:pk>/thanh-phan/<int:cpk>/so-hoa/",
        defect_views.fix_component,
        name="defect_fix_component",
    ),
    path(
        "<int:pk>/thanh-phan/<int:cpk>/dung-lai/",
        defect_views.fix_reuse,
        name="defect_fix_reuse",
    ),
]
