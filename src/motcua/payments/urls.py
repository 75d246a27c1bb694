from django.urls import path

from . import figures_views, reconciliation_views, views

app_name = "payments"
urlpatterns = [
    path("ho-so/<int:pk>/", views.counter_fees, name="counter_fees"),
    path("doi-soat/", reconciliation_views.runs, name="reconciliation"),
    path("doi-soat/<int:pk>/", reconciliation_views.run_detail, name="reconciliation_run"),
    path("so-lieu/", figures_views.page, name="figures"),
    path("so-lieu/tai-xuong.xlsx", figures_views.export, name="figures_xlsx"),
]
