"""The counter officer's screens, mounted at /can-bo/mot-cua/ (names "dossiers:counter_*")."""

from django.urls import path

from . import counter_views as views

urlpatterns = [
    path("tiep-nhan/", views.reception, name="counter_reception"),
    path("tiep-nhan/thu-tuc/", views.procedure_search, name="counter_procedure_search"),
    path("ho-so/<int:pk>/", views.dossier, name="counter_dossier"),
    path("ho-so/<int:pk>/tu-choi/", views.refuse, name="counter_refuse"),
    path("ho-so/<int:pk>/yeu-cau-bo-sung/", views.request_supplement, name="counter_supplement"),
    path("ho-so/<int:pk>/nhan-bo-sung/", views.resubmit, name="counter_resubmit"),
    path("ho-so/<int:pk>/tiep-nhan-truc-tuyen/", views.accept, name="counter_accept"),
    path("ho-so/<int:pk>/giay/<slug:kind>.pdf", views.paper, name="counter_paper"),
    path(
        "ho-so/<int:pk>/thanh-phan/<int:component_pk>/quet/",
        views.scan_upload,
        name="counter_scan_upload",
    ),
    path("ban-quet/<int:scan_pk>/", views.scan_status, name="counter_scan"),
    path("ban-quet/<int:scan_pk>/thu-lai/", views.scan_retry, name="counter_scan_retry"),
    path("ban-quet/<int:scan_pk>/loai/", views.scan_document_type, name="counter_scan_type"),
    path("tra-ket-qua/", views.returns, name="counter_returns"),
    path("tra-ket-qua/<int:pk>/", views.return_result, name="counter_return"),
    path("so-theo-doi/", views.tracking_book, name="counter_tracking_book"),
]
