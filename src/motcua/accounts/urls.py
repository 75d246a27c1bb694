from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.StaffLoginView.as_view(), name="login"),
    path("dang-nhap/ma-xac-thuc/", views.otp_verify, name="otp_verify"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("", views.home, name="home"),
    path("bao-mat/xac-thuc-hai-buoc/", views.otp_setup, name="otp_setup"),
    path("bao-mat/xac-thuc-hai-buoc/tat/", views.otp_disable, name="otp_disable"),
    path("nhan-su/", views.staff_list, name="staff_list"),
    path("nhan-su/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("nhat-ky/", views.audit_list, name="audit_list"),
    path("nhat-ky/<int:pk>/", views.audit_detail, name="audit_detail"),
]
