from django.urls import path

from . import views

app_name = "citizens"
urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.start, name="start"),
    path("dang-nhap/xong/", views.callback, name="callback"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
]
