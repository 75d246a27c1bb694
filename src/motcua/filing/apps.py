from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _catalog_pages(_row) -> str:
    from motcua.catalog.services import PUBLIC_PAGES

    return PUBLIC_PAGES


class FilingConfig(AppConfig):
    name = "motcua.filing"
    label = "filing"
    verbose_name = _("Nộp hồ sơ trực tuyến")

    def ready(self) -> None:
        from motcua.catalog import actions

        from .procedure_actions import procedure_actions

        actions.register(procedure_actions)  # "Nộp trực tuyến" on procedure pages

        from motcua.citizens import dossier_actions as citizen_actions

        from .dossier_actions import dossier_actions

        citizen_actions.register(dossier_actions)  # "Ký số tờ khai" on the citizen's dossier

        from motcua.core import pagecache
        from motcua.eforms.models import FormSchema

        # the button shows only while the procedure has a published declaration: a cached
        # procedure page goes stale when one is published or retired
        pagecache.bump_on_change(_catalog_pages, FormSchema)
