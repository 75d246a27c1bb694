"""The project's URLs with the simulated national portal mounted, as `make run` serves them."""

from django.urls import include, path

from motcua.urls import urlpatterns as project

urlpatterns = [path("gia-lap/dvcqg/", include("motcua.portalsim.urls")), *project]
