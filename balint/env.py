"""Small helpers that read configuration from environment variables.

Production must fail at start-up, naming the missing variable, rather than run half-configured.
"""

import json
import os
import re
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


# Sign-in providers (OIDC_PROVIDERS): a JSON list, one object per provider. See README.md,
# "Signing in with an organisation's account".
PROVIDER_KINDS = {"oidc", "microsoft", "google"}
PROVIDER_KEYS = {
    "id",
    "name",
    "kind",
    "issuer",
    "tenant",
    "client_id",
    "secret",
    "verified_domains",
    "trust_mfa",
}
GOOGLE_ISSUER = "https://accounts.google.com"
MICROSOFT_LOGIN = "https://login.microsoftonline.com"
# Entra's shared endpoints accept any tenant's accounts and have no fixed issuer to check.
MICROSOFT_SHARED_TENANTS = {"common", "organizations", "consumers"}


def sign_in_providers(value: str, *, production: bool) -> list[dict]:
    """allauth's OpenID Connect apps for the JSON list in OIDC_PROVIDERS (empty: none).
    ImproperlyConfigured names the provider and the field that is wrong, never a secret."""
    if not value:
        return []
    try:
        entries = json.loads(value)
    except ValueError:
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of objects.") from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of objects.")
    apps = [_sign_in_app(number, entry, production) for number, entry in enumerate(entries, 1)]
    ids = [app["provider_id"] for app in apps]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured("OIDC_PROVIDERS: two providers have the same id.")
    return apps


def _sign_in_app(number: int, entry: dict, production: bool) -> dict:
    def fail(problem: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"OIDC_PROVIDERS, provider {number}: {problem}")

    def text(key: str) -> str:
        found = entry.get(key, "")
        if not isinstance(found, str):
            raise fail(f"{key} must be a string.")
        return found.strip()

    unknown = set(entry) - PROVIDER_KEYS
    if unknown:
        raise fail(f"unknown field(s) {', '.join(sorted(unknown))}.")
    for key in ("id", "name", "client_id", "secret"):
        if not text(key):
            raise fail(f"{key} is required.")
    provider_id = text("id")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,29}", provider_id):
        raise fail("id must be 1 to 30 lower-case letters, digits and hyphens.")
    kind = text("kind") or "oidc"
    if kind not in PROVIDER_KINDS:
        raise fail(f"kind must be one of {', '.join(sorted(PROVIDER_KINDS))}.")
    domains = entry.get("verified_domains", [])
    if isinstance(domains, str):
        domains = domains.split(",")
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise fail("verified_domains must be a list of domains.")
    domains = [d.strip().lower().lstrip("@") for d in domains if d.strip()]
    trust_mfa = entry.get("trust_mfa", False)
    if not isinstance(trust_mfa, bool):
        raise fail("trust_mfa must be true or false.")
    issuer = _issuer(kind, text("issuer"), text("tenant"), domains, fail)
    if production and not issuer.startswith("https://"):
        raise fail("issuer must start with https:// when BALINT_ENV=production.")
    return {
        "provider_id": provider_id,
        "name": text("name"),
        "client_id": text("client_id"),
        "secret": text("secret"),
        "settings": {
            "server_url": issuer,
            "kind": kind,
            "verified_domains": domains,
            "trust_mfa": trust_mfa,
            "oauth_pkce_enabled": True,
        },
    }


def _issuer(kind: str, issuer: str, tenant: str, domains: list[str], fail) -> str:
    if kind == "microsoft":
        if not tenant or tenant.lower() in MICROSOFT_SHARED_TENANTS:
            raise fail("a microsoft provider needs its tenant's id (not common or organizations).")
        if not domains:
            # Entra does not verify the email claim: only the tenant's own domains are trusted.
            raise fail("a microsoft provider needs verified_domains: the tenant's domains.")
        return issuer or f"{MICROSOFT_LOGIN}/{tenant}/v2.0"
    if kind == "google":
        return issuer or GOOGLE_ISSUER
    if not issuer:
        raise fail("issuer is required.")
    return issuer.rstrip("/")


def url_origin(url: str) -> str:
    """`https://host:port` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
