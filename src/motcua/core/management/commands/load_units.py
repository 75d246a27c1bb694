"""Load a province and its communes/wards/special zones from a committed data file.

The data files under motcua/core/data/ are extracted from the `vietnam-provinces` package
(see docs/data-sources.md); the package itself needs Python 3.12, so it is not a dependency.
Idempotent: rows are matched by their GSO code and updated in place.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from motcua.core import audit
from motcua.core.models import Unit

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_FILE = DATA_DIR / "units-hai-phong.json"
KINDS = {k.value for k in Unit.Kind}


def read_units_file(path: Path) -> dict:
    """Parse and check a units file so a bad file fails before anything is written."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CommandError(f"Không tìm thấy tệp dữ liệu đơn vị hành chính: {path}") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"Tệp {path} không phải JSON hợp lệ: {exc}") from exc
    province = data.get("province") or {}
    units = data.get("units")
    if not province.get("code") or not province.get("name") or not isinstance(units, list):
        raise CommandError(f"Tệp {path} thiếu 'province' (code, name) hoặc danh sách 'units'.")
    for row in units:
        if not row.get("code") or not row.get("name") or row.get("kind") not in KINDS:
            raise CommandError(f"Dòng không hợp lệ trong {path}: {row!r}")
    return data


def load_units(*, data: dict, actor=None) -> dict[str, int]:
    """Create or update the province row and its units (parent = province), in one transaction."""
    created = updated = 0
    with transaction.atomic():
        wanted = {"name": data["province"]["name"], "kind": Unit.Kind.PROVINCE, "parent": None}
        province, was_created = Unit.objects.get_or_create(
            code=str(data["province"]["code"]), defaults=wanted
        )
        if was_created:
            created += 1
        elif (province.name, province.kind, province.parent_id) != (
            wanted["name"],
            wanted["kind"],
            None,
        ):
            province.name, province.kind, province.parent = wanted.values()
            province.save(update_fields=["name", "kind", "parent"])
            updated += 1
        existing = {u.code: u for u in Unit.objects.filter(parent=province)}
        new_rows = []
        for row in data["units"]:
            code = str(row["code"])
            unit = existing.get(code) or Unit.objects.filter(code=code).first()
            if unit is None:
                new_rows.append(
                    Unit(code=code, name=row["name"], kind=row["kind"], parent=province)
                )
                continue
            if (unit.name, unit.kind, unit.parent_id) != (row["name"], row["kind"], province.pk):
                unit.name, unit.kind, unit.parent = row["name"], row["kind"], province
                unit.save(update_fields=["name", "kind", "parent"])
                updated += 1
        Unit.objects.bulk_create(new_rows)
        created += len(new_rows)
        if created or updated:
            audit.record(
                action="units.loaded",
                obj=province,
                actor=actor,
                unit=province,
                changes={
                    "source": data.get("source", {}).get("package", ""),
                    "version": data.get("source", {}).get("version", ""),
                    "created": created,
                    "updated": updated,
                },
            )
    return {"created": created, "updated": updated, "total": len(data["units"]) + 1}


class Command(BaseCommand):
    help = "Nạp tỉnh/thành phố và các xã, phường, đặc khu từ tệp dữ liệu (mặc định: Hải Phòng)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="Tệp JSON đơn vị hành chính.")

    def handle(self, *args, **options):
        data = read_units_file(Path(options["file"]))
        result = load_units(data=data)
        self.stdout.write(
            f"{data['province']['name']}: {result['total']} đơn vị "
            f"({result['created']} mới, {result['updated']} cập nhật)."
        )
