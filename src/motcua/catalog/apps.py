from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    label = "catalog"
    verbose_name = _("Thủ tục hành chính")

    def ready(self) -> None:
        from motcua.core import pagecache
        from motcua.core.models import Department, Unit

        from .services import PUBLIC_PAGES

        # Any saved or deleted catalog row, unit or department (services and admin alike)
        # makes the cached public catalog pages stale after its commit.
        pagecache.bump_on_change(lambda _row: PUBLIC_PAGES, *self.get_models(), Unit, Department)
