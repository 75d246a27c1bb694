"""The database cache's table, so that `manage.py migrate` alone gives a working install.

Without it every page that touches the cache (the API's throttle, rate limits, the
calendar's version) answered 500 until `manage.py createcachetable` was run by hand. This runs
Django's own createcachetable, which creates the table of each DatabaseCache in
settings.CACHES that is missing on this database and does nothing otherwise (a Redis cache,
a table already there). If CACHES changes later, `createcachetable` is still the command.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_ratecounter")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
