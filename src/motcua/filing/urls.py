"""The citizen's online filing, mounted at /nop-truc-tuyen/."""

from django.urls import path

from . import assist_views, sign_views, views

app_name = "filing"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/<int:procedure_id>/", views.start, name="start"),
    path("ho-tro/<str:code>/", assist_views.confirm, name="assist_confirm"),
    path("<int:draft_id>/to-khai/<slug:key>/", views.step, name="step"),
    path("<int:draft_id>/truong-hop/", views.case, name="case"),
    path("<int:draft_id>/giay-to/", views.papers_page, name="papers"),
    path("<int:draft_id>/giay-to/<int:paper_id>.pdf", views.paper_file, name="paper_file"),
    path("<int:draft_id>/nhan-ket-qua/", views.delivery, name="delivery"),
    path("<int:draft_id>/xem-lai/", views.review, name="review"),
    path("<int:draft_id>/ky-to-khai/", sign_views.sign, name="sign"),
    path("<int:draft_id>/to-khai-da-ky.pdf", sign_views.signed_file, name="signed_file"),
    path("<int:draft_id>/nop/", views.submit, name="submit"),
    path("ho-so/<str:code>/ky-to-khai/", sign_views.sign_filed, name="sign_filed"),
    path("<int:draft_id>/da-nop/", views.done, name="done"),
    path("<int:draft_id>/bien-nhan.pdf", views.receipt_pdf, name="receipt"),
]
