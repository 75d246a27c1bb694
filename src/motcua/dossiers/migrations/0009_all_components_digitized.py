"""`has_digitized_components` (true when any one component was scanned) becomes
`all_components_digitized` (true when every component is in hand digitally), recomputed for
existing rows with the rule of `models.COMPONENT_DIGITIZED` (decisions/0034)."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q


def recompute(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    Component = apps.get_model("dossiers", "DossierComponent")
    done = Q(digitized=True) & ~Q(file="") | Q(reused_from_warehouse=True) | Q(from_state_data=True)
    missing = Component.objects.filter(dossier=OuterRef("pk")).exclude(done)
    Dossier.objects.filter(Exists(missing)).update(all_components_digitized=False)
    Dossier.objects.exclude(Exists(missing)).update(all_components_digitized=True)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0008_notify_choice_and_opt_out")]

    operations = [
        migrations.RenameField("dossier", "has_digitized_components", "all_components_digitized"),
        migrations.AlterField(
            model_name="dossier",
            name="all_components_digitized",
            field=models.BooleanField(default=False, verbose_name="mọi thành phần đã số hóa"),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
