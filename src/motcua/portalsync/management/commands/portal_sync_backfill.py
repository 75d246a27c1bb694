"""`manage.py portal_sync_backfill`: the outbox messages of the changes made before the sync.

Idempotent (the same uuid5 ids; run twice, the second run writes nothing); `manage.py
portal_sync` (or the huey job) then sends them, each dossier's in order.
"""

from django.core.management.base import BaseCommand

from motcua.portalsync import services


class Command(BaseCommand):
    help = "Ghi hàng đợi đồng bộ Cổng DVCQG cho các hồ sơ có trước khi có đồng bộ."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="số hồ sơ mỗi lượt")

    def handle(self, *args, batch: int, **options):
        done = services.backfill(batch=batch)
        self.stdout.write(
            f"Đồng bộ bổ sung Cổng DVCQG: {done.messages} tin nhắn mới cho {done.dossiers} hồ sơ."
        )
