"""The project's URLs with the payment platform simulator mounted, as `make run` serves them."""

from django.urls import include, path

from motcua.urls import urlpatterns as project

urlpatterns = [path("gia-lap/thanh-toan/", include("motcua.paysim.urls")), *project]
