from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("can-bo/dan-cu/tra-cuu/", views.lookup, name="lookup"),
    path("can-bo/dan-cu/nhat-ky/", views.lookup_log, name="lookup_log"),
]
