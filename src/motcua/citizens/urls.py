from django.urls import path

from . import views

app_name = "citizens"
urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.start, name="start"),
    path("dang-nhap/xong/", views.callback, name="callback"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
    path("giay-to/", views.my_papers, name="my_papers"),
    path("ho-so/", views.my_dossiers, name="my_dossiers"),
    path("ho-so/<str:code>/", views.my_dossier, name="my_dossier"),
    path("ho-so/<str:code>/bo-sung/", views.answer_supplement, name="answer_supplement"),
    path("ho-so/<str:code>/rut/", views.withdraw, name="withdraw"),
    path("ho-so/<str:code>/danh-gia/", views.rate, name="rate"),
    path("ho-so/<str:code>/tep/<str:token>/", views.dossier_file, name="dossier_file"),
]
