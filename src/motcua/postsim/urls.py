from django.urls import path

from . import views

urlpatterns = [
    path("api/van-don", views.book, name="postsim_book"),
    path("api/van-don/<str:tracking_number>/trang-thai", views.advance, name="postsim_advance"),
]
