"""`manage.py portal_sync`: drain the outbox to the national portal, continuously.

Several may run at once (rows are claimed with SKIP LOCKED and a lease); kill -9 loses nothing.
"""

import time

from django.core.management.base import BaseCommand

from motcua.portalsync import services


class Command(BaseCommand):
    help = "Gửi liên tục hàng đợi đồng bộ lên Cổng Dịch vụ công quốc gia."

    def add_arguments(self, parser):
        parser.add_argument("--idle", type=float, default=0.2, help="giây chờ khi hết việc")
        parser.add_argument("--once", action="store_true", help="gửi hết rồi dừng")

    def handle(self, *args, idle: float, once: bool, **options):
        while True:
            done = services.drain(seconds=30)
            if once:
                self.stdout.write(f"sent={done.sent} refused={done.refused} retried={done.retried}")
                return
            if done.batches == 0 or done.sent == 0:
                time.sleep(idle)
