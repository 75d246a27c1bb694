from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("thong-bao/vapid-public-key", views.vapid_public_key, name="vapid_public_key"),
    path("thong-bao/dang-ky-nhan/", views.subscribe, name="push_subscribe"),
    path("thong-bao/huy-dang-ky/", views.unsubscribe, name="push_unsubscribe"),
    path("can-bo/thong-bao/", views.failed_list, name="failed_list"),
    path("can-bo/thong-bao/<int:pk>/gui-lai/", views.resend, name="resend"),
]
