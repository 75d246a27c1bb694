"""Print the demo residents' logins (scripts/run.sh, beside the staff demo logins)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from .seed_devidp import load_residents


class Command(BaseCommand):
    help = "In tài khoản định danh thử nghiệm của cư dân mẫu."

    def handle(self, *args, **options):
        self.stdout.write(
            f"Công dân (đăng nhập bằng định danh điện tử thử nghiệm tại {settings.ISSUER}, "
            "từ nút «Đăng nhập» trên trang chủ):"
        )
        for row in load_residents():
            self.stdout.write(
                f"  {row['citizen_id']} / {row['password']}  {row['full_name']}, "
                f"định danh mức {row['identity_level']}"
            )
