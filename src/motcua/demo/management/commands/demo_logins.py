"""`manage.py demo_logins`: the web addresses, a dossier to try, and the demo accounts."""

from django.core.management.base import BaseCommand

from motcua.core import links
from motcua.demo import services, signed_results

URLS = [
    ("Trang chủ cho người dân", "/"),
    ("Danh mục thủ tục (công khai)", "/thu-tuc/"),
    ("Tra cứu hồ sơ", "/tra-cuu/"),
    ("Xác thực kết quả ký số", "/xac-thuc/"),
    ("Đăng nhập cán bộ", "/can-bo/dang-nhap/"),
    ("Quản trị", "/quan-tri/"),
    ("Tài liệu API", "/api/docs/"),
    ("Kiểm tra hoạt động", "/healthz"),
]


class Command(BaseCommand):
    help = "In địa chỉ web, hồ sơ mẫu để thử và bảng tài khoản mẫu (chỉ khi DJANGO_SECURE tắt)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="", help="Địa chỉ gốc (mặc định: MOTCUA_PUBLIC_BASE_URL)."
        )

    def handle(self, *args, **options):
        base = options["url"].rstrip("/")

        def url(path: str) -> str:
            return f"{base}{path}" if base else links.public_url(path)

        self.stdout.write("Địa chỉ:")
        for label, path in URLS:
            self.stdout.write(f"  {label:<30} {url(path)}")
        if not services.demo_logins_allowed():
            self.stdout.write(
                self.style.WARNING(
                    "DJANGO_SECURE=1: không hiển thị tài khoản mẫu trên hệ thống thật."
                )
            )
            return
        self._sample(url)
        rows = services.demo_staff_rows()
        if not rows:
            self.stdout.write("Chưa có tài khoản mẫu: chạy manage.py load_demo trước.")
            return
        self.stdout.write(f"\nTài khoản mẫu (mật khẩu chỉ dùng để thử: {services.DEMO_PASSWORD}):")
        self.stdout.write(f"  {'tên đăng nhập':<14} {'vai trò':<30} đơn vị")
        for r in rows:
            self.stdout.write(f"  {r['username']:<14} {r['role']:<30} {r['unit']}")
        self.stdout.write("Mật khẩu đã đổi sẽ được giữ nguyên khi chạy lại load_demo.")

    def _sample(self, url) -> None:
        """A returned demo dossier whose result is signed for real: track it, verify it."""
        found = signed_results.sample()
        if found is None:
            return
        code, vcode = found.dossier_code, found.verification_code
        self.stdout.write("\nThử với hồ sơ mẫu đã trả kết quả ký số:")
        self.stdout.write(
            f"  Tra cứu hồ sơ  mã {code}, 4 số cuối CCCD {found.id_digits}: "
            f"{url('/tra-cuu/?ma=' + code)}"
        )
        self.stdout.write(f"  Xác thực kết quả theo mã {vcode}: {url(f'/xac-thuc/{vcode}/')}")
        self.stdout.write(
            f"  hoặc tải tệp đã ký {url(f'/xac-thuc/{vcode}/tai-ve/')} rồi tải lên "
            f"{url('/xac-thuc/')}"
        )
