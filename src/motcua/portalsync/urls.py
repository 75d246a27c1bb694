from django.urls import path

from . import views

app_name = "portalsync"
urlpatterns = [
    path("can-bo/dong-bo-dvcqg/", views.coverage, name="coverage"),
    path("can-bo/dong-bo-dvcqg/<int:pk>/gui-lai/", views.retry, name="retry"),
]
