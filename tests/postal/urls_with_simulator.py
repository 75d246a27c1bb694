"""The project's URLs with the post simulator mounted, as `make run` serves them."""

from django.urls import include, path

from motcua.urls import urlpatterns as project

urlpatterns = [path("gia-lap/buu-chinh/", include("motcua.postsim.urls")), *project]
