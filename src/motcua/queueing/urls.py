from django.urls import path

from . import views

app_name = "queueing"
urlpatterns = [
    path("hang-doi/kiosk/<str:unit_code>/", views.kiosk, name="kiosk"),
    path("hang-doi/ve/<int:pk>/in/", views.ticket_print, name="ticket_print"),
    path("can-bo/quay/", views.console_index, name="console_index"),
    path("can-bo/quay/<int:pk>/", views.console, name="console"),
    path("can-bo/quay/<int:pk>/<slug:action>/", views.console_action, name="console_action"),
]
