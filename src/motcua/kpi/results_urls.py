from django.urls import path

from . import results_views

app_name = "results"
urlpatterns = [
    path("<str:unit_code>/", results_views.page, name="page"),
]
