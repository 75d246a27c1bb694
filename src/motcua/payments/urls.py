from django.urls import path

from . import cashbook_views, figures_views, receipt_views, reconciliation_views, views

app_name = "payments"
urlpatterns = [
    path("ho-so/<int:pk>/", views.counter_fees, name="counter_fees"),
    path("doi-soat/", reconciliation_views.runs, name="reconciliation"),
    path("doi-soat/<int:pk>/", reconciliation_views.run_detail, name="reconciliation_run"),
    path("so-lieu/", figures_views.page, name="figures"),
    path("so-lieu/tai-xuong.xlsx", figures_views.export, name="figures_xlsx"),
    path("bien-lai/<int:pk>/", receipt_views.receipt_pdf, name="receipt_pdf"),
    path("bien-lai/<int:pk>/huy/", receipt_views.receipt_void, name="receipt_void"),
    path("so-quy/", cashbook_views.index, name="cashbook"),
    path(
        "so-quy/<int:unit_id>/<int:officer_id>/<str:day>/",
        cashbook_views.book,
        name="cashbook_book",
    ),
    path(
        "so-quy/<int:unit_id>/<int:officer_id>/<str:day>/xlsx/",
        cashbook_views.book_xlsx,
        name="cashbook_xlsx",
    ),
]
