"""The e-mail backend from the environment (clauses_site/mail_config.py, read by settings.MAILERS)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from clauses_site.mail_config import CONSOLE, SMTP, from_url, mailer
from clauses_site.settings import env_bool, env_int


def options(**kwargs):
    base = {"username": "", "password": "", "use_tls": False, "use_ssl": False, "timeout": 10}
    return {"BACKEND": SMTP, "OPTIONS": {**base, **kwargs}}


def test_email_url():
    assert from_url("smtp://clauses%40ee.fr:p%40ss@smtp.example.org:587?tls") == options(
        host="smtp.example.org", port=587, username="clauses@ee.fr", password="p@ss", use_tls=True
    )
    assert from_url("smtps://u:p@smtp.example.org") == options(
        host="smtp.example.org", port=465, username="u", password="p", use_ssl=True
    )
    assert from_url("smtp://relay.local?ssl=1") == options(host="relay.local", port=465, use_ssl=True)
    assert from_url("smtp://relay.local") == options(host="relay.local", port=25)
    assert from_url("console://") == {"BACKEND": CONSOLE}
    for wrong in ("smpt://host", "smtp://host?tls&ssl", "smtp://:25", "smtp://host:port"):
        with pytest.raises(ImproperlyConfigured):
            from_url(wrong)


def test_the_environment_chooses(monkeypatch):
    for name in ("EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL"):
        monkeypatch.delenv(name, raising=False)
    # EMAIL_URL wins, even in development.
    assert mailer({"EMAIL_URL": "smtp://relay.local"}, True, env_bool, env_int) == options(
        host="relay.local", port=25
    )
    assert mailer({}, True, env_bool, env_int) == {"BACKEND": CONSOLE}  # ./run: the console
    monkeypatch.setenv("EMAIL_PORT", "2525")
    monkeypatch.setenv("EMAIL_USE_TLS", "1")
    environ = {"EMAIL_HOST": "smtp.example.org", "EMAIL_HOST_USER": "u", "EMAIL_HOST_PASSWORD": "p"}
    assert mailer(environ, False, env_bool, env_int) == options(
        host="smtp.example.org", port=2525, username="u", password="p", use_tls=True
    )


def test_tests_use_the_locmem_backend(settings):
    assert settings.MAILERS == {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
