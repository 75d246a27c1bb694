from django.urls import path

from . import online_filing

app_name = "reports"
urlpatterns = [
    path("nop-truc-tuyen/", online_filing.page, name="online_filing"),
]
