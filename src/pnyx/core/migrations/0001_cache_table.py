"""The table of the database cache (settings.CACHES without REDIS_URL), shared by every server
process: rate limits count there. `createcachetable` at migrate time, so no extra command."""

from django.conf import settings
from django.db import migrations


def _tables():
    # pnyx_cache even when REDIS_URL is set today: the same database may run without it later.
    names = {"pnyx_cache"}
    for cache in settings.CACHES.values():
        if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
            names.add(cache["LOCATION"])
    return sorted(names)


def create_cache_tables(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    for name in _tables():
        # Does nothing when the table already exists.
        command.create_table(schema_editor.connection.alias, name, False)


def drop_cache_tables(apps, schema_editor):
    for name in _tables():
        table = schema_editor.connection.ops.quote_name(name)
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_tables, drop_cache_tables)]
