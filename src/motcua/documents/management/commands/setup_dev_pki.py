"""`manage.py setup_dev_pki`: create the development CA chain once (idempotent)."""

from django.core.management.base import BaseCommand

from motcua.documents import pki


class Command(BaseCommand):
    help = "Tạo chuỗi chứng thư số dùng cho phát triển (không dùng thật); chạy lại không đổi gì."

    def handle(self, *args, **options):
        if pki.production_p12_configured():
            self.stdout.write("MOTCUA_SIGNING_P12_PATH is set: production signing, nothing to do.")
            return
        chain = pki.setup_dev_pki()
        state = "created" if chain.created else "already present"
        self.stdout.write(f"dev PKI {state}: {chain.root_path.parent}")
