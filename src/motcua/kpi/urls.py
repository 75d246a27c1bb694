from django.urls import path

from . import queue_statistics

app_name = "queue_statistics"
urlpatterns = [
    path("thong-ke/", queue_statistics.statistics, name="page"),
    path("thong-ke/xuat.xlsx", queue_statistics.export, name="export"),
]
