"""The default formula set "dashboard-2025" v1 (issue 16): how the national dashboard computes
the service index today, fitted by a third party to its published scores, shipped as data.

The definition is read from kpi/index/data/dashboard-2025-v1.json, a file that is never edited:
a new version is a new file, a new migration and a new row."""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations

DEFINITION = Path(__file__).resolve().parent.parent / "index" / "data" / "dashboard-2025-v1.json"
LEGAL_SOURCE = (
    "Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ phê duyệt Bộ chỉ số chỉ "
    "đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ "
    "tục hành chính, dịch vụ công theo thời gian thực trên môi trường điện tử. Các công thức "
    "từng chỉ tiêu là cách Hệ thống thông tin giải quyết TTHC quốc gia đang tính (do bên thứ ba "
    "khớp với điểm số công bố năm 2025), không phải văn bản pháp luật."
)


def load(apps, schema_editor):
    FormulaSet = apps.get_model("kpi", "FormulaSet")
    FormulaSet.objects.update_or_create(
        code="dashboard-2025",
        version=1,
        defaults={
            "name": "Chỉ số phục vụ người dân, doanh nghiệp (cách tính của Hệ thống 2025)",
            "legal_source": LEGAL_SOURCE,
            "effective_from": dt.date(2022, 6, 23),
            "effective_to": None,
            "definition": json.loads(DEFINITION.read_text(encoding="utf-8")),
        },
    )


def unload(apps, schema_editor):
    apps.get_model("kpi", "FormulaSet").objects.filter(code="dashboard-2025", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
