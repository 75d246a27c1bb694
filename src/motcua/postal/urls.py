from django.urls import path

from . import views

app_name = "postal"
urlpatterns = [
    path("can-bo/buu-chinh/ho-so/<int:pk>/giao/", views.hand_over, name="hand_over"),
    path("can-bo/buu-chinh/ho-so/<int:pk>/da-xu-ly/", views.followed_up, name="followed_up"),
    path("api/buu-chinh/trang-thai", views.webhook, name="webhook"),
]
