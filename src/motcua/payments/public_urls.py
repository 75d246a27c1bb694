from django.urls import path

from . import views

app_name = "payments_public"
urlpatterns = [
    path("ngan-hang/thong-bao/", views.bank_notification, name="bank_notification"),
]
