"""Split the audit chain by unit so communes no longer wait on each other's audit lock.

Rows written before this migration keep `chain = 0` (a column default, not an UPDATE, so the
append-only trigger is untouched): they are still one valid chain, verified as chain 0, which
events without a unit continue. New events of a unit start that unit's chain at GENESIS.
"""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_auditevent_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='chuỗi'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['chain', 'id'], name='audit_chain_head'),
        ),
    ]
