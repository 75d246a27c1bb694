from django.urls import path

from . import index_views

app_name = "service_index"
urlpatterns = [
    path("", index_views.home, name="home"),
    path("viec-nen-lam/", index_views.actions, name="actions"),
    path("bang/<slug:by>/", index_views.table, name="table"),
    path("diem-tru/", index_views.drill, name="drill"),
    path("diem-tru/xuat.xlsx", index_views.drill_export, name="drill_export"),
    # the engine's Action.drill_url (index-spec/API.md): redirects to the screen above
    path("diem-tru/<str:indicator>/", index_views.drill_by_indicator, name="drill_down"),
]
