from django.urls import path

from . import index_views

app_name = "service_index"
urlpatterns = [
    path("", index_views.home, name="home"),
    path("bang/<slug:by>/", index_views.table, name="table"),
    path("diem-tru/", index_views.drill, name="drill"),
    path("diem-tru/xuat.xlsx", index_views.drill_export, name="drill_export"),
]
