from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<int:pk>/", views.counter_fees, name="counter_fees"),
]
