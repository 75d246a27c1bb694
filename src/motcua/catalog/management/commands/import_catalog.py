"""manage.py import_catalog <file> --unit <unit code> [--publish]: load a catalog file.

Same parser and service as the staff import page; run by the operator, so no actor (the audit
event records the command as its source). The format is picked by content, not by name.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog import importing, services
from motcua.core.models import Unit


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục từ tệp JSON hoặc Excel (.xlsx) cho một đơn vị."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp .json hoặc .xlsx")
        parser.add_argument("--unit", required=True, help="Mã đơn vị hành chính nhận danh mục")
        parser.add_argument(
            "--publish", action="store_true", help="Công khai ngay các thủ tục nhập vào"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị hành chính mã “{options['unit']}”.")
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            with path.open("rb") as fileobj:
                records = importing.parse_file(fileobj, path.name)
        except importing.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        report = services.import_catalog(
            unit=unit,
            records=records,
            actor=None,
            source_name=f"manage.py import_catalog {path.name}",
            publish=options["publish"],
        )
        self.stdout.write(
            f"{unit.name}: thêm mới {report.created}, cập nhật {report.updated}, "
            f"không thay đổi {report.unchanged}, dòng bị từ chối {report.rejected}."
        )
        for error in report.errors:
            column = f" [{error.column}]" if error.column else ""
            self.stdout.write(f"  Dòng {error.row}{column}: {error.message}")
