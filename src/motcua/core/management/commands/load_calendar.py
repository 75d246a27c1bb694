"""Load the shipped national calendar of days off and make-up working days (idempotent).

Rows are matched by date (national rows, no unit); a second run changes nothing. `load_demo`
calls this; administrators run it again after a release that ships a new year's calendar.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.calendar import load_exceptions

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "calendar_exceptions.json"


def read_calendar_file(path: Path) -> list[dict]:
    """The rows of a calendar file, checked before anything is written."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CommandError(f"Không tìm thấy tệp lịch: {path}") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"Tệp {path} không phải JSON hợp lệ: {exc}") from exc
    rows = data.get("exceptions") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise CommandError(f"Tệp {path} thiếu danh sách 'exceptions'.")
    for row in rows:
        if not isinstance(row, dict) or not row.get("date") or not row.get("name"):
            raise CommandError(f"Dòng không hợp lệ trong {path}: {row!r}")
        if row.get("kind") not in {"day_off", "working_day"}:
            raise CommandError(f"Loại ngày không hợp lệ trong {path}: {row!r}")
    return rows


class Command(BaseCommand):
    help = "Nạp lịch ngày nghỉ lễ, nghỉ hoán đổi và ngày làm bù do Chính phủ công bố."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="Tệp JSON lịch.")

    def handle(self, *args, file: Path, **options):
        rows = read_calendar_file(file)
        try:
            counts = load_exceptions(rows=rows)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Lịch làm việc: {counts['created']} ngày tạo mới, {counts['updated']} cập nhật, "
                f"{counts['unchanged']} không đổi."
            )
        )
