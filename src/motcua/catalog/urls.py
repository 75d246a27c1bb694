from django.urls import path

from . import staff_views, views

app_name = "catalog"
urlpatterns = [
    # public
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("thu-tuc/<int:pk>/", views.procedure_detail, name="procedure_detail"),
    path("thu-tuc/<int:pk>/qr.svg", views.procedure_qr, name="procedure_qr"),
    path("thu-tuc/<int:pk>/huong-dan/", views.procedure_guide, name="procedure_guide"),
    # staff
    path("can-bo/thu-tuc/", staff_views.procedure_list, name="staff_procedure_list"),
    path("can-bo/thu-tuc/kiem-tra-cong-khai/", staff_views.publicity_check, name="publicity_check"),
    path("can-bo/thu-tuc/nhap/", staff_views.import_catalog, name="import"),
    path("can-bo/thu-tuc/xuat.<str:fmt>", staff_views.export_catalog, name="export"),
]
