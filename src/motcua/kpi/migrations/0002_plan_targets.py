"""The targets of the plans motcua was built for (../shared/plans, DOMAIN.md), as default rows
(no unit): every unit sees them until its province or itself records its own in the admin.

Each row cites its plan. Where a commune plan set the figure for a campaign or for the last
months of 2025 only, the row has no end: the plans ask the units to keep the level reached
("tiếp tục duy trì"), and a unit's own row (or a later default) replaces it. The province plan's
yearly figures (2025 and 2026) end with their year. No plan sets a number for the queue's
waiting time: it has no row.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

QN = (
    "KH 47/KH-UBND tỉnh Quảng Ngãi (tháng 9/2025), kế hoạch nâng cao chất lượng cung cấp, "
    "sử dụng DVCTT giai đoạn 2025-2026, mục I.2"
)
HM = "KH 17/KH-UBND xã Hợp Minh (Nghệ An), 29/7/2025, 6 tháng cuối năm 2025, mục III.1"
LT = "KH 44/KH-UBND xã Lộc Tân (Đồng Nai), 2025, chiến dịch 30 ngày 25/7-25/8/2025"
MC = "KH 46/KH-UBND xã Mỏ Cày (Quảng Ngãi), 2025, cao điểm 60 ngày 10/8-10/10/2025, mục III.4"
KEPT = " Giữ làm chỉ tiêu chung sau thời hạn của kế hoạch cho đến khi đơn vị nhập chỉ tiêu riêng."

D = dt.date
# code, start, end, comparison, value, source
TARGETS = [
    (
        "procedures_online_share", D(2025, 7, 25), None, ">=", "60",
        f"{LT}, mục I: “TTHC đủ điều kiện thực hiện dịch vụ công trực tuyến có phát sinh hồ sơ "
        "tối thiểu tại cấp xã đạt tối thiểu 60%”." + KEPT,
    ),
    (
        "dossiers_online_share", D(2025, 7, 29), None, ">=", "70",
        f"{HM}: “Tỷ lệ hồ sơ nộp trực tuyến trên tổng số hồ sơ tiếp nhận, giải quyết TTHC đạt "
        "tối thiểu 70%”." + KEPT,
    ),
    (
        "payments_online_transactions", D(2025, 7, 29), None, ">", "95",
        f"{HM}: “Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia trên tổng số giao "
        "dịch thanh toán của dịch vụ công đạt trên 95%”." + KEPT,
    ),
    (
        "payments_online_dossiers", D(2025, 7, 25), None, ">=", "60",
        f"{LT}, mục I: “hồ sơ TTHC thực hiện DVC trực tuyến có phát sinh phí, lệ phí được thanh "
        "toán trực tuyến trên Cổng DVCQG tại cấp xã đạt tối thiểu 60%”." + KEPT,
    ),
    (
        "digitization_components", D(2025, 7, 29), None, ">=", "97",
        f"{HM}: “Tỷ lệ hồ sơ TTHC số hóa hồ sơ, kết quả giải quyết TTHC đạt 97-100%” (mức "
        f"thấp của khoảng; {LT} đặt tối thiểu 80%)." + KEPT,
    ),
    (
        "results_signed", D(2025, 7, 29), None, ">=", "97",
        f"{HM}: “Tỷ lệ cấp kết quả giải quyết TTHC điện tử (tỷ lệ ký số) đạt 97-100%” (mức "
        "thấp của khoảng)." + KEPT,
    ),
    (
        "reuse", D(2025, 7, 29), None, ">=", "50",
        f"{HM}: “Tỷ lệ hồ sơ, kết quả giải quyết TTHC được khai thác, sử dụng lại đạt 50%”."
        + KEPT,
    ),
    (
        "login_to_submit_minutes", D(2025, 1, 1), D(2025, 12, 31), "<", "8",
        f"{QN}, năm 2025: “Thời gian trung bình tính từ lúc đăng nhập cho đến khi người dân, "
        "doanh nghiệp nộp hồ sơ trực tuyến thành công đối với các DVCTT là dưới 08 phút”.",
    ),
    (
        "login_to_submit_minutes", D(2026, 1, 1), D(2026, 12, 31), "<", "5",
        f"{QN}, năm 2026: “... là dưới 05 phút”.",
    ),
    (
        "online_processing_shorter", D(2025, 1, 1), D(2025, 12, 31), ">=", "20",
        f"{QN}, năm 2025: thời gian trung bình từ khi tiếp nhận, xử lý đến khi trả kết quả "
        "“trong trường hợp nộp trực tuyến giảm tối thiểu 20% so với hình thức nộp trực tiếp”.",
    ),
    (
        "online_processing_shorter", D(2026, 1, 1), D(2026, 12, 31), ">=", "30",
        f"{QN}, năm 2026: “... giảm tối thiểu 30% so với hình thức nộp trực tiếp”.",
    ),
    (
        "satisfaction", D(2025, 1, 1), D(2025, 12, 31), ">=", "90",
        f"{QN}, năm 2025: “Tỷ lệ người dân, doanh nghiệp đánh giá hài lòng khi sử dụng DVCTT "
        f"đạt tối thiểu 90%” (cũng {LT}).",
    ),
    (
        "satisfaction", D(2026, 1, 1), D(2026, 12, 31), ">=", "95",
        f"{QN}, năm 2026: “... đạt tối thiểu 95%”.",
    ),
    (
        "satisfaction_demanding", D(2025, 7, 25), None, ">=", "85",
        f"{LT}, mục III.2.b: “mức độ hài lòng về giải quyết các thủ tục hành chính lĩnh vực "
        "đất đai, xây dựng, đầu tư đạt tối thiểu 85%”." + KEPT,
    ),
    (
        "village_queue_app", D(2025, 8, 10), None, ">=", "45",
        f"{MC}: “Tỷ lệ cài đặt, hướng dẫn sử dụng hệ thống đặt hẹn và xếp hàng tự động từ xa "
        "trên thiết bị thông minh, điện thoại di động cho công dân (trong độ tuổi lao động) "
        "45-50%” (mức thấp của khoảng, cho mỗi thôn)." + KEPT,
    ),
    (
        "village_online_adults", D(2025, 7, 25), None, ">=", "50",
        f"{LT}, mục III.2.b: “50% người dân trưởng thành sử dụng dịch vụ công trực tuyến”."
        + KEPT,
    ),
    (
        "online_service_volume", D(2025, 1, 1), None, ">=", "1000",
        f"{QN}, năm 2025: “Cung cấp 982 DVCTT với số lượng hồ sơ trung bình của mỗi dịch vụ "
        "công phát sinh ít nhất 1.000 hồ sơ/năm/tỉnh” (không áp dụng với TTHC có tần suất "
        "thấp, đối tượng tuân thủ và lĩnh vực đặc thù); năm 2026 “tiếp tục duy trì”.",
    ),
]


def add(apps, schema_editor):
    Target = apps.get_model("kpi", "Target")
    for code, start, end, comparison, value, source in TARGETS:
        Target.objects.update_or_create(
            code=code,
            unit=None,
            period_start=start,
            defaults={
                "period_end": end,
                "comparison": comparison,
                "value": Decimal(value),
                "source": source,
            },
        )


def remove(apps, schema_editor):
    Target = apps.get_model("kpi", "Target")
    for code, start, *_rest in TARGETS:
        Target.objects.filter(code=code, unit=None, period_start=start).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
