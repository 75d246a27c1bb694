from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("xac-thuc/", views.verify, name="verify"),
    path("xac-thuc/<slug:code>/", views.verify_code, name="verify_code"),
    path("xac-thuc/<slug:code>/tai-ve/", views.download, name="download"),
]
