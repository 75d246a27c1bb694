from django.contrib.auth import views as auth_views
from django.urls import include, path
from oauth2_provider import urls as dot_urls

from .views import ResidentLoginView

# The provider's endpoints only: no application management screens.
provider = (dot_urls.base_urlpatterns + dot_urls.oidc_urlpatterns, "oauth2_provider")
devidp = (
    [
        path("dang-nhap/", ResidentLoginView.as_view(), name="login"),
        path("dang-xuat/", auth_views.LogoutView.as_view(next_page="devidp:login"), name="logout"),
    ],
    "devidp",
)

urlpatterns = [
    path("", include(devidp)),
    path("", include(provider)),
]
