from django.urls import path

from . import views

app_name = "certification"
urlpatterns = [
    path("", views.book, name="book"),
    path("moi/", views.certify, name="certify"),
    path("<int:pk>/huy/", views.void, name="void"),
]
