from django.urls import path

from . import online_filing, plan_figures_views

app_name = "reports"
urlpatterns = [
    path("nop-truc-tuyen/", online_filing.page, name="online_filing"),
    path("chi-tieu/", plan_figures_views.page, name="plan_figures"),
    path("chi-tieu/xuat.xlsx", plan_figures_views.export, name="plan_figures_export"),
]
