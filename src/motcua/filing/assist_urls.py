"""The helpers' assisted filing pages, mounted at /can-bo/ho-tro-nop/ (decisions/0032)."""

from django.urls import path

from . import assist_views

app_name = "assist"
urlpatterns = [
    path("", assist_views.home, name="home"),
    path("<int:session_id>/", assist_views.session_page, name="session"),
    path("<int:session_id>/csdl-dan-cu/", assist_views.confirm_registry, name="registry"),
]
