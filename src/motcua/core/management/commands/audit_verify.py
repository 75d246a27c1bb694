"""`manage.py audit_verify`: prove the audit log was not edited, deleted from or reordered.

Run it nightly and after every restore. Exit code 0 = intact, 1 = broken (for cron/monitoring).
There is one chain per unit: `--heads` prints every chain's head as ID:HASH, one per line, to be
written down and passed back as `--anchor` (repeatable) so a cut-off tail of any chain is found.
"""

from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit import verify_chain


def _anchor(value: str) -> tuple[int, str]:
    event_id, _, digest = value.partition(":")
    if not event_id.isdigit() or len(digest) != 64:
        raise CommandError("--anchor phải có dạng ID:HASH / --anchor must look like ID:HASH")
    return int(event_id), digest.lower()


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký thao tác / verify the audit log hash chain."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--anchor",
            type=_anchor,
            action="append",
            default=[],
            help="ID:HASH of a head printed by an earlier run (repeatable); detects rows cut "
            "off at the end of a chain.",
        )
        parser.add_argument(
            "--heads",
            action="store_true",
            help="Print the head of every chain (one per unit) as ID:HASH.",
        )

    def handle(self, *args, batch_size: int, anchor: list, heads: bool, **options):
        result = verify_chain(batch_size=batch_size, anchors=anchor)
        head = f"#{result.head_id}:{result.head_hash}" if result.head_id else "-"
        if heads:
            for chain, (event_id, digest) in result.heads.items():
                self.stdout.write(f"chain {chain}: {event_id}:{digest}")
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Nhật ký nguyên vẹn: đã kiểm tra {result.checked} sự kiện. / "
                    f"Audit log intact: {result.checked} events checked."
                )
            )
            self.stdout.write(f"Đầu chuỗi / chain head: {head}")
            return
        self.stderr.write(
            self.style.ERROR(
                f"Nhật ký BỊ THAY ĐỔI: {len(result.problems)} vấn đề trong {result.checked} "
                f"sự kiện. / Audit log BROKEN: problems found in {result.checked} events."
            )
        )
        for problem in result.problems:
            self.stderr.write(f"  - {problem}")
        self.stdout.write(f"Đầu chuỗi / chain head: {head}")
        raise SystemExit(1)
