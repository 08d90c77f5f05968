"""Small helpers that read configuration from environment variables.

Production must fail at start-up, naming the missing variable, rather than run half-configured.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    # Empty counts as unset: compose passes `NAME: ${NAME:-}` as "", which must not blank a default
    # (an empty CACHE_URL would quietly give every process its own cache and its own rate limits).
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    # A typo must not quietly mean "off": SMTP_USE_TLS=ture would send passwords in the clear.
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def require(name: str, value: str | list[str]) -> None:
    if not value:
        raise ImproperlyConfigured(
            f"{name} is required when BALINT_ENV=production. See README.md, 'Configuration'."
        )


def require_scheme(name: str, url: str, schemes: list[str]) -> None:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in schemes:
        allowed = " or ".join(f"{s}://" for s in schemes)
        # Only the scheme is repeated: the rest of a URL may hold a password.
        found = f"it starts with {scheme}://" if scheme else "it has no scheme"
        raise ImproperlyConfigured(
            f"{name} must start with {allowed} when BALINT_ENV=production; {found}."
        )


def database_from_url(url: str, *, base_dir) -> dict:
    """Turn `postgres://user:pass@host:port/name` or `sqlite:///path` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as SQLAlchemy spells them.
        path = unquote(parts.path[1:]) if parts.path not in ("", "/") else ""
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or base_dir / "db.sqlite3",
            # A file, not memory: tests start real Celery workers that must see the test data.
            # One file per test process, so parallel runs never share one.
            "TEST": {
                "NAME": str(Path(tempfile.gettempdir()) / f"balint-test-{os.getpid()}.sqlite3")
            },
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with postgres:// or sqlite://, not {parts.scheme}://."
    )
