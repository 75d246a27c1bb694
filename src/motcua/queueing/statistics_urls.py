from django.urls import path

from . import statistics_views

app_name = "queue_statistics"
urlpatterns = [
    path("thong-ke/", statistics_views.statistics, name="page"),
    path("thong-ke/xuat.xlsx", statistics_views.export, name="export"),
]
