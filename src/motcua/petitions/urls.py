from django.urls import path

from . import views

app_name = "petitions"

urlpatterns = [
    path("phan-anh/", views.home, name="home"),
    path("phan-anh/tra-cuu/", views.lookup, name="lookup"),
    path("phan-anh/cong-khai/", views.published, name="published"),
    path("phan-anh/theo-doi/<str:code>/", views.follow, name="follow"),
    path("phan-anh/<str:unit_code>/gui/", views.new, name="new"),
    path("can-bo/phan-anh/", views.staff_list, name="staff_list"),
    path("can-bo/phan-anh/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("can-bo/phan-anh/<int:pk>/<slug:action>/", views.staff_act, name="staff_act"),
    path("can-bo/phan-anh/tep/<int:pk>/", views.attachment, name="attachment"),
]
