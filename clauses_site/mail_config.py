"""The e-mail backend from the environment (settings.MAILERS, Django 6.1), in one function that tests can
call with an environment of their own.

- EMAIL_URL, when set, wins: `smtp://user:password@host:port` (STARTTLS with `?tls`, TLS from the first
  byte with `?ssl` or the scheme `smtps://`), or `console://` (printed on the terminal). User and password
  are URL-encoded (`%40` for an @).
- Otherwise in development (DEBUG): the console backend (./run: a newcomer sees the messages).
- Otherwise: SMTP from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
  EMAIL_USE_SSL.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
TRUE = {"", "1", "true", "yes", "on", "oui"}


def _flag(query, name):
    values = query.get(name)
    return values is not None and values[-1].strip().lower() in TRUE


def from_url(url):
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"BACKEND": CONSOLE}
    if parts.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            f"EMAIL_URL : schéma « {parts.scheme} » inconnu (attendu smtp://, smtps:// ou console://)."
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    use_ssl = parts.scheme == "smtps" or _flag(query, "ssl")
    use_tls = _flag(query, "tls")
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL : choisir ?tls (STARTTLS) ou ?ssl, pas les deux.")
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_URL : port invalide ({exc}).") from exc
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL : nom du serveur manquant (smtp://serveur:587).")
    return {
        "BACKEND": SMTP,
        "OPTIONS": {
            "host": parts.hostname,
            "port": port or (465 if use_ssl else 587 if use_tls else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": 10,
        },
    }


def mailer(environ, debug, env_bool, env_int):
    """settings.MAILERS["default"] for this environment (env_bool, env_int: the settings' readers)."""
    url = environ.get("EMAIL_URL", "").strip()
    if url:
        return from_url(url)
    if debug:
        return {"BACKEND": CONSOLE}
    return {
        "BACKEND": SMTP,
        "OPTIONS": {
            "host": environ.get("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": environ.get("EMAIL_HOST_USER", ""),
            "password": environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": 10,
        },
    }
