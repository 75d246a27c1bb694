"""Dossiers received before `result_delivery` was set at reception kept the applicant's choice
only in the reception event's note: copy it into the field, which the receipt and the return
screen now read. Returned dossiers already hold the delivery actually used; they are left alone.
"""

from django.db import migrations

NOTES = {
    "Nhận kết quả tại quầy": "counter",
    "Nhận kết quả qua bưu chính công ích": "post",
}


def forwards(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    events = DossierEvent.objects.filter(
        action="receive", note__in=list(NOTES), dossier__result_delivery=""
    ).values_list("dossier_id", "note")
    by_choice: dict[str, list[int]] = {}
    for dossier_id, note in events.iterator():
        by_choice.setdefault(NOTES[note], []).append(dossier_id)
    for choice, ids in by_choice.items():
        for start in range(0, len(ids), 500):
            Dossier.objects.filter(pk__in=ids[start : start + 500], result_delivery="").update(
                result_delivery=choice
            )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_worklist_index_on_receiving_unit"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
