from django.urls import path

from . import citizen_views, receipt_views, views

app_name = "payments_public"
urlpatterns = [
    path("ngan-hang/thong-bao/", views.bank_notification, name="bank_notification"),
    path("ho-so/<str:code>/", citizen_views.pay, name="pay"),
    path("giao-dich/<str:reference>/", citizen_views.attempt_page, name="attempt"),
    path("bien-lai/<int:pk>/", receipt_views.my_receipt_pdf, name="receipt_pdf"),
    path("ve/", citizen_views.platform_return, name="platform_return"),
]
