import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "CLAUSES_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "une-clé-de-production-longue-et-aléatoire-0123456789",
        ALLOWED_HOSTS="clauses.example.org",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
        CLAUSES_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    result = run_manage("check", DEBUG="0", CLAUSES_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY n'est pas défini" in result.stderr


def test_debug_generates_and_keeps_a_development_key(tmp_path):
    first = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DEBUG="1",
        CLAUSES_VAR_DIR=str(tmp_path),
    )
    second = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DEBUG="1",
        CLAUSES_VAR_DIR=str(tmp_path),
    )
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout


def test_bad_boolean_is_named(tmp_path):
    result = run_manage("check", DEBUG="peut-être", CLAUSES_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG doit valoir 1 ou 0" in result.stderr


def test_debug_follows_the_presence_of_a_secret_key(tmp_path):
    show = "from django.conf import settings; print(settings.DEBUG)"
    development = run_manage("shell", "-c", show, CLAUSES_VAR_DIR=str(tmp_path))
    deployed = run_manage("shell", "-c", show, SECRET_KEY="x" * 60, CLAUSES_VAR_DIR=str(tmp_path))
    assert development.stdout.strip().splitlines()[-1] == "True", development.stderr
    assert deployed.stdout.strip().splitlines()[-1] == "False", deployed.stderr
