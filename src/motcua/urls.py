from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from motcua.core import views as core_views

handler400 = "motcua.core.views.bad_request"
handler403 = "motcua.core.views.permission_denied"
handler404 = "motcua.core.views.page_not_found"
handler500 = "motcua.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("motcua.catalog.api_urls")),
    path("can-bo/", include("motcua.accounts.urls")),
    path("can-bo/bieu-mau/", include("motcua.eforms.urls")),
    path("can-bo/ho-tro-nop/", include("motcua.filing.assist_urls")),  # assisted filing
    path("can-bo/chung-thuc/", include("motcua.certification.urls")),  # certified copies
    path("can-bo/thu-phi/", include("motcua.payments.urls")),  # fees at the counter
    path("thanh-toan/", include("motcua.payments.public_urls")),  # banks' notifications
    path("", include("motcua.portal.urls")),  # the citizens' home page at /
    path("cong-dan/", include("motcua.citizens.urls")),  # their sign-in and account
    path("nop-truc-tuyen/", include("motcua.filing.urls")),  # their online filing
    path("", include("motcua.documents.urls")),
    # before queueing: /can-bo/quay/<pk>/danh-gia/ would otherwise match a console action
    path("", include("motcua.feedback.urls")),
    path("", include("motcua.petitions.urls")),  # phản ánh, kiến nghị
    path("can-bo/hang-doi/", include("motcua.kpi.urls")),
    path("can-bo/bao-cao/", include("motcua.kpi.report_urls")),
    path("can-bo/chi-so/", include("motcua.kpi.index_urls")),  # the service index (issue 16)
    path("ket-qua/", include("motcua.kpi.results_urls")),  # a unit's public results
    path("", include("motcua.queueing.urls")),
    path("", include("motcua.registry.urls")),
    path("", include("motcua.dossiers.urls")),
    path("", include("motcua.integrations.urls")),
    path("", include("motcua.portalsync.urls")),
    path("", include("motcua.outreach.urls")),
    path("", include("motcua.catalog.urls")),
    path("", include("motcua.postal.urls")),
]
if settings.MOTCUA_CSC_SIMULATOR:  # development only (documents.csc_simulator_urls)
    urlpatterns.insert(0, path("csc-sim/", include("motcua.documents.csc_simulator_urls")))
if settings.MOTCUA_PAYGOV_SIMULATOR:  # the national payment platform, simulated (dev, tests)
    urlpatterns.insert(0, path("gia-lap/thanh-toan/", include("motcua.paysim.urls")))
if settings.MOTCUA_POSTSIM:  # the post, simulated (dev, tests)
    urlpatterns.insert(0, path("gia-lap/buu-chinh/", include("motcua.postsim.urls")))


if settings.MOTCUA_DVCQG_SIMULATOR:  # the national public service portal, simulated (dev, tests)
    urlpatterns.insert(0, path("gia-lap/dvcqg/", include("motcua.portalsim.urls")))
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
