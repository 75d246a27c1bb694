"""Public tracking (tra cứu hồ sơ), mounted at /tra-cuu/: no login."""

from django.urls import path

from . import tracking_views

urlpatterns = [
    path("", tracking_views.lookup, name="tracking_lookup"),
    path(
        "thong-bao/<str:token>/",
        tracking_views.notifications_off,
        name="tracking_notifications_off",
    ),
]
