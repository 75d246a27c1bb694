from django.urls import path

from . import views

app_name = "eforms"

urlpatterns = [
    path("<int:schema_id>/xem-truoc/", views.preview, name="preview"),
    path("<int:schema_id>/xem-truoc/to-khai.pdf", views.preview_pdf, name="preview_pdf"),
]
