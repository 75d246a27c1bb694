"""`manage.py generate_population [UNIT_CODE ...]`: (re)build the local synthetic population.

Without codes: every commune that has villages (`load_demo` loads the demo communes' villages).
Deterministic: the same villages give the same people and IDs. Refused in secure mode, where
the registry must be the real national database, never invented people.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.core.models import Unit, Village
from motcua.registry import population


class Command(BaseCommand):
    help = "Tạo dữ liệu dân cư MẪU (tổng hợp, không có thật) cho các xã có thôn/tổ dân phố."

    def add_arguments(self, parser):
        parser.add_argument("units", nargs="*", help="mã xã/phường (mặc định: mọi xã có thôn)")

    def handle(self, *args, **options):
        if settings.SECURE:
            raise CommandError("DJANGO_SECURE=1: không tạo dữ liệu dân cư mẫu trên hệ thống thật.")
        codes = options["units"]
        if codes:
            units = list(Unit.objects.filter(code__in=codes).select_related("parent"))
            missing = set(codes) - {u.code for u in units}
            if missing:
                raise CommandError(f"Không có đơn vị: {', '.join(sorted(missing))}")
        else:
            ids = Village.objects.values_list("unit_id", flat=True).distinct()
            units = list(Unit.objects.filter(pk__in=ids).select_related("parent"))
        for result in population.generate(units=units):
            self.stdout.write(summary_line(result))


def summary_line(result: population.Generated) -> str:
    return (
        f"Dân cư mẫu {result.unit.name}: {result.residents} người, "
        f"{result.households} hộ (tổng hợp, không có thật)."
    )
