"""`manage.py load_demo`: everything `make run` needs to show a working commune.

Order: Hải Phòng units, the official calendar (if the calendar command is installed), the
demo commune and a second commune, staff for every role (not in secure mode), the procedure
catalog through the importer, the how-to guides, and the queue (services, counters, weeks of
illustrative served tickets, motcua.demo.queue), satisfaction ratings for about 60% of
those tickets (motcua.demo.ratings), then six months of illustrative dossiers
(motcua.demo.dossiers), a few of whose results are signed for real with the public base URL in
their QR (motcua.demo.signed_results), and (not in secure mode) the synthetic population the
local registry answers from (motcua.registry.population), then the national portal's outbox
messages of that history (motcua.portalsync.services.backfill). Safe to run again: counts stay the
same and existing passwords are kept.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from motcua.catalog.models import HowToGuide, Procedure
from motcua.core.management.commands.load_units import DEFAULT_FILE, load_units, read_units_file
from motcua.core.models import Unit, Village
from motcua.demo import (
    certified_copies,
    dossiers,
    queue,
    ratings,
    residents,
    services,
    signed_results,
)
from motcua.eforms.data import read_declarations
from motcua.eforms.services import load_declarations
from motcua.outreach.demo import load_demo_adoption
from motcua.portalsync import services as portalsync
from motcua.registry import population
from motcua.registry.management.commands.generate_population import (
    summary_line as population_line,
)


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: đơn vị hành chính Hải Phòng, xã mẫu, cán bộ, thủ tục, hướng dẫn."

    def handle(self, *args, **options):
        started = time.monotonic()
        out = self.stdout

        units = load_units(data=read_units_file(DEFAULT_FILE))
        out.write(f"Đơn vị hành chính: {units['total']} ({units['created']} mới).")

        call_command("load_calendar", stdout=self.stdout, stderr=self.stderr)
        call_command("load_proactive", stdout=self.stdout, stderr=self.stderr)
        # the development certificate chain that signs demo results (never used in production)
        call_command("setup_dev_pki", stdout=self.stdout, stderr=self.stderr)

        spec = services.read_json(services.COMMUNES_FILE)
        communes = [services.load_commune(spec=c) for c in spec["communes"]]

        if services.demo_logins_allowed():
            staff = services.ensure_staff(specs=spec["staff"])
            out.write(f"Cán bộ mẫu: {len(staff.created)} mới, {len(staff.existing)} giữ nguyên.")
        else:
            out.write(
                self.style.WARNING(
                    "DJANGO_SECURE=1: không tạo tài khoản mẫu (chỉ nạp dữ liệu tham chiếu)."
                )
            )

        records = services.read_json(services.PROCEDURES_FILE)
        by_code = {r["code"]: r for r in records}
        guides = services.read_json(services.GUIDES_FILE)["guides"]
        for unit, c in zip(communes, spec["communes"], strict=True):
            wanted = records if c["procedures"] == "all" else [by_code[x] for x in c["procedures"]]
            # actor=None: a system load, recorded as such in the audit log
            result = services.import_procedures(unit=unit, records=wanted, actor=None)
            services.load_guides(unit=unit, guides=guides, actor=None)
            out.write(
                f"{unit.name}: {len(wanted)} thủ tục ({result['importer']}: "
                f"{result.get('created', 0)} mới, {result.get('updated', 0)} cập nhật, "
                f"{result.get('unchanged', 0)} giữ nguyên, {result.get('rejected', 0)} bị từ chối)."
            )
            for error in result.get("errors", [])[:10]:
                out.write(self.style.WARNING(f"  {error}"))
            # the declarations (e-forms), matched by national code, as an administrator saves them
            forms = load_declarations(unit=unit, records=read_declarations(), actor=None)
            out.write(
                f"  Biểu mẫu điện tử: {forms['published']} áp dụng mới, "
                f"{forms['unchanged']} giữ nguyên."
            )

        queue_spec = queue.read_spec()
        for q in queue.load_queue(spec=queue_spec):
            if q.history_refused:
                history = "không tạo lịch sử mẫu khi DJANGO_SECURE=1"
            elif q.history_skipped:
                history = "lịch sử đã có, giữ nguyên"
            else:
                history = (
                    f"lịch sử minh họa {q.history_tickets} số thứ tự "
                    f"trong {q.history_days} ngày làm việc trước"
                )
            out.write(
                f"Hàng đợi {q.unit.name}: {q.services} nhóm dịch vụ, {q.counters} quầy được phân "
                f"công, {history}."
            )

        # about 60% of the served history tickets rated, as on the counter tablet (demo.ratings)
        for rated in ratings.load_ratings(unit_codes=[c["unit"] for c in queue_spec["communes"]]):
            out.write(ratings.summary_line(rated))

        for history in dossiers.load_dossier_history():
            out.write(dossiers.summary_line(history))
        if services.demo_logins_allowed():  # the residents who can sign in get a few of them
            given = residents.give_dossiers(unit=communes[0])
            if given:
                out.write(
                    f"Cư dân mẫu đăng nhập được: {given} hồ sơ của họ trong lịch sử minh họa."
                )
        # a few of those results signed for real, to verify on /xac-thuc/ (demo.signed_results)
        out.write(signed_results.summary_line(signed_results.sign_results(unit=communes[0])))
        # two electronic certified copies in the book, one voided (demo.certified_copies)
        out.write(
            certified_copies.summary_line(certified_copies.certify_demo_copies(unit=communes[0]))
        )

        if services.demo_logins_allowed():  # synthetic residents never enter a real system
            # the local population registry: a synthetic population of the demo communes
            for generated in population.generate(units=communes):
                out.write(population_line(generated))
            adoption = load_demo_adoption(communes[0])
            out.write(
                f"Công nghệ số cộng đồng {communes[0].name}: {adoption['residents']} người, "
                f"{adoption['actions']} lượt hỗ trợ, {adoption['sessions']} buổi hướng dẫn mới."
            )

        # the history was written row by row, not through the dossier core: its changes reach
        # the national portal's outbox here (the same messages the hook writes; idempotent)
        synced = portalsync.backfill()
        out.write(
            f"Đồng bộ Cổng DVCQG: {synced.messages} tin nhắn mới chờ gửi cho "
            f"{synced.dossiers} hồ sơ."
        )

        main = communes[0]
        out.write(
            self.style.SUCCESS(
                f"Xong trong {time.monotonic() - started:.1f} giây: "
                f"{Unit.objects.count()} đơn vị, "
                f"{Village.objects.filter(unit=main).count()} thôn/tổ dân phố ở {main.name}, "
                f"{Procedure.objects.filter(unit=main).count()} thủ tục "
                f"({Procedure.objects.filter(unit=main, is_published=True).count()} đã công khai), "
                f"{HowToGuide.objects.filter(procedure__unit=main).count()} hướng dẫn. "
                "Xem tài khoản: manage.py demo_logins"
            )
        )
