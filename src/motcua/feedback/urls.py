from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("danh-gia/ve/<str:token>/", views.rate_ticket, name="rate_ticket"),
    path("danh-gia/ve/<str:token>/cam-on/", views.ticket_thanks, name="ticket_thanks"),
    path("danh-gia/ho-so/<str:token>/", views.rate_dossier, name="rate_dossier"),
    path("danh-gia/ho-so/<str:token>/cam-on/", views.dossier_thanks, name="dossier_thanks"),
    path("can-bo/danh-gia/", views.tablet_index, name="tablet_index"),
    path("can-bo/quay/<int:counter_pk>/danh-gia/", views.tablet, name="tablet"),
]
