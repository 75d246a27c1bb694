from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("can-bo/cong-nghe-so/", views.dashboard, name="dashboard"),
    path("can-bo/cong-nghe-so/ghi-nhan/", views.record, name="record"),
    path("can-bo/cong-nghe-so/buoi-huong-dan/", views.record_session, name="record_session"),
    path("can-bo/cong-nghe-so/xuat.xlsx", views.export, name="export"),
]
