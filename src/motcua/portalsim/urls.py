from django.urls import path

from . import views

urlpatterns = [path("api/dong-bo", views.sync, name="portalsim_sync")]
