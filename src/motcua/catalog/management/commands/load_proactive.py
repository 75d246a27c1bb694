"""`manage.py load_proactive [file]`: the follow-up procedures and result validities
(catalog/data/proactive.json by default), replacing what was loaded before."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.catalog import services

DEFAULT = Path(services.__file__).resolve().parent / "data" / services.PROACTIVE_DATA


class Command(BaseCommand):
    help = "Nạp danh sách thủ tục làm tiếp theo và thời hạn giá trị của kết quả."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    def handle(self, *args, path, **options):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        counts = services.load_proactive(data=data)
        follow_ups, validities = counts["follow_ups"], counts["validities"]
        self.stdout.write(f"{follow_ups} thủ tục làm tiếp theo, {validities} thời hạn giá trị.")
