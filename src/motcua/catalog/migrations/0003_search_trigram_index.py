"""On PostgreSQL, a trigram index serves the catalog's `LIKE '%word%'` search.

SQLite has no equivalent and does not need one at commune scale (see docs/benchmarks.md).
"""

from django.db import migrations


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS catalog_procedure_search_trgm "
            "ON catalog_procedure USING gin (search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS catalog_procedure_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_online_mode_unknown")]
    operations = [migrations.RunPython(add_index, drop_index)]
