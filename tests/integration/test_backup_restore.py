"""scripts/backup.sh and scripts/restore.sh for real on PostgreSQL: the demo data and an uploaded file
are backed up, restored into a fresh database and media directory, and compared.

Needs PostgreSQL and its client tools (pg_dump, pg_restore, psql); ./scripts/test.sh runs it in its
PostgreSQL pass, where with CI=true a missing tool fails the run instead of skipping.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from tests.factories import HITFactory
from tests.factories.teams_lifecycle import DocumentFactory

pytestmark = pytest.mark.integration

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"

# Spot checks beyond the row counts: text, hashes, JSON, timestamps and foreign keys, in a fixed order.
VALUES = {
    "users": "SELECT email, full_name, password, is_active FROM teams_user ORDER BY email",
    "hits": "SELECT slug, name, status, status_changed_at FROM teams_hit ORDER BY slug",
    "coverage": "SELECT hit_id, category_depths, breadth, fingerprint FROM engagement_coveragescore ORDER BY hit_id",
    "documents": "SELECT hit_id, title, file, size FROM teams_document ORDER BY id",
    "migrations": "SELECT app, name FROM django_migrations ORDER BY app, name",
    # Sequences restored too: the next row inserted after a restore must not collide with an old one.
    "sequences": "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
}


def _run(script: str, *args: str, env: dict[str, str]) -> list[str]:
    completed = subprocess.run(
        ["bash", str(SCRIPTS / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"{script} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout.splitlines()


def _snapshot(url: str) -> dict[str, object]:
    """Row counts of every table in the public schema, and the spot-checked values."""
    # psycopg 3: leaving the block commits and closes the connection.
    with psycopg.connect(url) as database, database.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
            (counts[table],) = cursor.fetchone()
        values = {}
        for name, query in VALUES.items():
            cursor.execute(query)
            values[name] = cursor.fetchall()
    return {"counts": counts, "values": values}


@pytest.fixture
def restore_database(postgres_database_url: str) -> Iterator[tuple[str, str]]:
    """A database name nobody uses, and its URL; dropped afterwards whatever happened."""
    name = f"hitportal_restore_{uuid.uuid4().hex[:12]}"
    yield name, urlsplit(postgres_database_url)._replace(path=f"/{name}").geturl()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed_vocabularies() -> None:
    """Run the data migrations' (idempotent) seeding again: earlier transactional tests flushed the
    vocabularies they made, and seed_demo needs them."""
    for module in (
        "teams.migrations.0002_seed_vocabularies",
        "engagement.migrations.0002_seed_actions_and_instrument",
    ):
        importlib.import_module(module).seed(apps, None)


def test_backup_restores_every_table_and_the_uploaded_files(
    postgres_database_url, pg_client_tools, restore_database, tmp_path, settings
):
    # Arrange: the demo data, and one uploaded document whose file lies under MEDIA_ROOT.
    _seed_vocabularies()
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())
    document = DocumentFactory(hit=HITFactory(name="Backup HIT", slug="backup-hit"))
    uploaded = settings.MEDIA_ROOT / document.file.name
    before = _snapshot(postgres_database_url)
    name, restore_url = restore_database

    # Act
    dump, media = _run(
        "backup.sh",
        str(tmp_path / "backups"),
        env={"DATABASE_URL": postgres_database_url, "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
    )[-2:]
    restore_env = {"DATABASE_URL": postgres_database_url, "MEDIA_ROOT": str(tmp_path / "restored-media")}
    _run("restore.sh", name, dump, media, env=restore_env)
    after = _snapshot(restore_url)
    # Again, over the restored copy and after a change to it, as a restore over a live database goes.
    with psycopg.connect(restore_url) as database, database.cursor() as cursor:
        cursor.execute("DELETE FROM teams_document")
    _run("restore.sh", name, dump, media, env=restore_env)
    again = _snapshot(restore_url)

    # Assert: every table and value came back, and the file with its bytes.
    assert Path(dump).name.endswith(".dump")
    assert oct(Path(dump).stat().st_mode & 0o777) == "0o600"
    assert after["counts"] == before["counts"]
    assert after["values"] == before["values"]
    assert again == after
    filled = [table for table, count in before["counts"].items() if count]
    assert len(filled) >= 40  # the comparison means something: the demo data fills most tables
    assert before["values"]["documents"][-1][2] == document.file.name
    restored = tmp_path / "restored-media" / document.file.name
    assert restored.read_bytes() == uploaded.read_bytes()
    (kept,) = tmp_path.glob("restored-media.before-restore-*")  # the second restore put the first aside
    assert (kept / document.file.name).read_bytes() == uploaded.read_bytes()
