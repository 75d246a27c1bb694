"""/api/v1/: the public, read-only catalog API (URL names in the "api" namespace)."""

from rest_framework.routers import DefaultRouter

from .api import FieldViewSet, ProcedureViewSet

app_name = "api"
router = DefaultRouter()
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("fields", FieldViewSet, basename="field")
urlpatterns = router.urls
