from django.urls import path

from . import views

urlpatterns = [
    path("api/init", views.init, name="paysim_init"),
    path("api/check", views.check, name="paysim_check"),
    path("api/doisoat", views.daily_file, name="paysim_daily_file"),
    path("doi-soat/<str:day>/", views.daily_file_download, name="paysim_daily_download"),
    path("trang/<str:transaction_id>/", views.pay_page, name="paysim_pay"),
    path("bien-lai/<str:transaction_id>/", views.receipt_page, name="paysim_receipt"),
    path("ngan-hang/", views.bank_page, name="paysim_bank"),
]
