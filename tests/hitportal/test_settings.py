"""Configuration from the environment: typed readers that fail loudly, and what start-up does with them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import check_secret_key, database_config, env_bool, env_int, env_list
from tests.fresh_settings import fresh_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k7Qm2-xR9vTz4Lw8pN3sYb6Hc1Jd5Fg0AeUoIiKqWnMtZrXyVuBpCsDhEjGlOaNfS"


# --- env_bool / env_int / env_list -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), (" Yes ", True), ("1", True), ("off", False), ("", False)]
)
def test_env_bool_known_value_is_parsed(raw, expected):
    assert env_bool("DEBUG", environ={"DEBUG": raw}) is expected


def test_env_bool_missing_gives_default():
    assert env_bool("DEBUG", True, environ={}) is True


def test_env_bool_bad_value_names_variable():
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG must be one of .*'maybe'"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def test_env_int_bad_value_names_variable():
    with pytest.raises(ImproperlyConfigured, match=r"^EMAIL_PORT must be a whole number, not 'abc'"):
        env_int("EMAIL_PORT", 587, environ={"EMAIL_PORT": "abc"})


def test_env_list_splits_and_trims():
    assert env_list("ALLOWED_HOSTS", environ={"ALLOWED_HOSTS": " a.org, b.org ,,"}) == ["a.org", "b.org"]


# --- database_config -------------------------------------------------------------------------------


def test_database_config_postgres_url_is_parsed():
    config = database_config("postgres://portal:pw@db.internal:5433/hitportal")

    assert (config["ENGINE"], config["NAME"], config["USER"], config["HOST"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "hitportal",
        "portal",
        "db.internal",
        5433,
    )


def test_database_config_postgres_without_host_uses_loopback():
    assert database_config("postgres:///hitportal")["HOST"] == "127.0.0.1"


def test_database_config_sqlite_keeps_no_persistent_connections(tmp_path):
    config = database_config(f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert (config["ENGINE"], config["CONN_MAX_AGE"], "CONN_HEALTH_CHECKS" in config) == (
        "django.db.backends.sqlite3",
        0,
        False,
    )


def test_database_config_sqlite_lets_a_worker_write_beside_the_web_process(tmp_path):
    options = database_config(f"sqlite:///{tmp_path / 'db.sqlite3'}")["OPTIONS"]

    assert options == {
        "init_command": "PRAGMA journal_mode=WAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }


def test_database_config_mysql_is_rejected_naming_variable():
    with pytest.raises(
        ImproperlyConfigured,
        match=r"^DATABASE_URL must start with postgres://, postgresql:// or sqlite://, not 'mysql'",
    ):
        database_config("mysql://portal:pw@db/hitportal")


def test_database_config_malformed_postgres_url_is_rejected_naming_variable():
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL is not a valid database URL"):
        database_config("postgres://portal:pw@db:notaport/hitportal")


def test_database_config_postgres_url_without_database_is_rejected():
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL does not name a database"):
        database_config("postgres://portal@db/")


# --- check_secret_key ------------------------------------------------------------------------------


def test_check_secret_key_strong_key_is_returned():
    assert check_secret_key(STRONG_KEY) == STRONG_KEY


def test_check_secret_key_empty_is_rejected_naming_variable():
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY is not set"):
        check_secret_key("")


@pytest.mark.parametrize(
    "weak",
    [
        pytest.param(STRONG_KEY[:49], id="short"),
        pytest.param("ab" * 40, id="few-distinct-characters"),
        pytest.param("django-insecure-" + STRONG_KEY, id="django-placeholder"),
        pytest.param("changeme-" + STRONG_KEY, id="changeme-placeholder"),
    ],
)
def test_check_secret_key_weak_is_rejected_naming_variable(weak):
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY is too weak"):
        check_secret_key(weak)


# --- Start-up, as an operator meets it -------------------------------------------------------------


def _manage(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a clean environment: nothing from this test process (whose settings
    module sets SECRET_KEY and DEBUG) leaks in, and no file lands in the repository."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "hitportal.settings",
        "HITPORTAL_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_startup_without_secret_key_names_it_without_traceback(tmp_path):
    result = _manage(tmp_path, "check", DEBUG="false")

    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error: SECRET_KEY is not set.")
    assert "Traceback" not in result.stderr


def test_startup_with_malformed_database_url_names_it_without_traceback(tmp_path):
    result = _manage(
        tmp_path, "check", DEBUG="false", SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://u:p@db:notaport/x"
    )

    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error: DATABASE_URL is not a valid database URL")
    assert "Traceback" not in result.stderr


def test_startup_production_settings_pass_deploy_checks(tmp_path):
    result = _manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.org",
    )

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )


def test_every_periodic_task_is_one_the_worker_knows(settings):
    """In a fresh interpreter, as `celery worker` starts: the tasks registered once every app's
    tasks.py is imported (a task defined elsewhere and not imported there is unknown to the worker)."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import json, django; django.setup(); from hitportal.celery import app; "
        "app.loader.import_default_modules(); print(json.dumps(sorted(app.tasks)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    registered = set(json.loads(result.stdout.strip().splitlines()[-1]))

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, f"beat entry {name} names a task the worker does not know"


# --- Celery: which broker ------------------------------------------------------------------------------


def test_celery_run_sh_environment_uses_filesystem_queue_under_var_dir(tmp_path):
    var_dir = tmp_path / "var"

    config = fresh_settings(
        {"HITPORTAL_VAR_DIR": str(var_dir), "DEBUG": "true", "HITPORTAL_EMBEDDED_WORKER": "1"}
    )

    assert (
        config["CELERY_BROKER_URL"],
        config["CELERY_TASK_ALWAYS_EAGER"],
        config["CELERY_RESULT_BACKEND"],
    ) == (
        "filesystem://localhost//",
        False,
        None,
    )
    assert config["CELERY_BROKER_TRANSPORT_OPTIONS"] == {
        "data_folder_in": str(var_dir / "celery" / "queue"),
        "data_folder_out": str(var_dir / "celery" / "queue"),
        "control_folder": str(var_dir / "celery" / "control"),
        "polling_interval": 1.0,
    }
    assert (var_dir / "celery" / "queue").is_dir() and (var_dir / "celery" / "control").is_dir()
    assert config["CELERY_BEAT_SCHEDULE_FILENAME"] == str(var_dir / "celery" / "beat-schedule")


@pytest.mark.parametrize(
    ("environ", "broker", "eager"),
    [
        pytest.param({"DEBUG": "true"}, "memory://", True, id="debug-alone-runs-eagerly"),
        pytest.param({"DEBUG": "false"}, "memory://", True, id="test-suite-runs-eagerly"),
        pytest.param(
            {"DEBUG": "false", "CELERY_BROKER_URL": "redis://redis:6379/0"},
            "redis://redis:6379/0",
            False,
            id="production-redis",
        ),
        pytest.param(
            {"DEBUG": "true", "HITPORTAL_EMBEDDED_WORKER": "true", "REDIS_URL": "redis://127.0.0.1:6379/0"},
            "redis://127.0.0.1:6379/0",
            False,
            id="named-broker-wins-over-embedded",
        ),
        pytest.param(
            {
                "DEBUG": "false",
                "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
                "CELERY_TASK_ALWAYS_EAGER": "true",
            },
            "redis://127.0.0.1:6379/15",
            True,
            id="postgresql-test-pass",
        ),
    ],
)
def test_celery_without_embedded_worker_setting_keeps_eager_or_named_broker(tmp_path, environ, broker, eager):
    var_dir = tmp_path / "var"

    config = fresh_settings({"HITPORTAL_VAR_DIR": str(var_dir), **environ})

    assert (config["CELERY_BROKER_URL"], config["CELERY_TASK_ALWAYS_EAGER"]) == (broker, eager)
    assert "data_folder_in" not in config["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert "CELERY_BEAT_SCHEDULE_FILENAME" not in config
    assert not (var_dir / "celery").exists()
