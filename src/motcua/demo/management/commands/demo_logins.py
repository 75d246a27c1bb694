"""`manage.py demo_logins`: the web addresses and the demo accounts to try them with."""

from django.core.management.base import BaseCommand

from motcua.demo import services

URLS = [
    ("Danh mục thủ tục (công khai)", "/thu-tuc/"),
    ("Đăng nhập cán bộ", "/can-bo/dang-nhap/"),
    ("Quản trị", "/quan-tri/"),
    ("Tài liệu API", "/api/docs/"),
    ("Kiểm tra hoạt động", "/healthz"),
]


class Command(BaseCommand):
    help = "In địa chỉ web và bảng tài khoản mẫu (chỉ hiện mật khẩu khi DJANGO_SECURE tắt)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Địa chỉ gốc.")

    def handle(self, *args, **options):
        base = options["url"].rstrip("/")
        self.stdout.write("Địa chỉ:")
        for label, path in URLS:
            self.stdout.write(f"  {label:<30} {base}{path}")
        if not services.demo_logins_allowed():
            self.stdout.write(
                self.style.WARNING(
                    "DJANGO_SECURE=1: không hiển thị tài khoản mẫu trên hệ thống thật."
                )
            )
            return
        rows = services.demo_staff_rows()
        if not rows:
            self.stdout.write("Chưa có tài khoản mẫu: chạy manage.py load_demo trước.")
            return
        self.stdout.write(f"\nTài khoản mẫu (mật khẩu chỉ dùng để thử: {services.DEMO_PASSWORD}):")
        self.stdout.write(f"  {'tên đăng nhập':<14} {'vai trò':<30} đơn vị")
        for r in rows:
            self.stdout.write(f"  {r['username']:<14} {r['role']:<30} {r['unit']}")
        self.stdout.write("Mật khẩu đã đổi sẽ được giữ nguyên khi chạy lại load_demo.")
