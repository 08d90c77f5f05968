"""Settings for the Balint groups app: one module, configured by environment variables.

With nothing set it runs for local use: SQLite, Celery tasks run eagerly in the web process, email
printed to the console, DEBUG on. `BALINT_ENV=production` turns DEBUG off and makes every value
production needs required. Every variable is documented in README.md.
"""

from pathlib import Path

from celery.schedules import crontab
from django.utils.csp import CSP

from balint.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    require,
    require_scheme,
    sign_in_providers,
    url_origin,
)

BASE_DIR = Path(__file__).resolve().parent.parent

BALINT_ENV = env_str("BALINT_ENV", "development")
if BALINT_ENV not in {"development", "production"}:
    raise ValueError(f"BALINT_ENV must be 'development' or 'production', not {BALINT_ENV!r}.")
PRODUCTION = BALINT_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY")
DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
SITE_URL = env_str("SITE_URL").rstrip("/")
SMTP_HOST = env_str("SMTP_HOST")

if PRODUCTION:
    for name, value in [
        ("SECRET_KEY", SECRET_KEY),
        ("DATABASE_URL", DATABASE_URL),
        ("REDIS_URL", REDIS_URL),
        ("ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("SITE_URL", SITE_URL),
        ("SMTP_HOST", SMTP_HOST),
    ]:
        require(name, value)
    # select_for_update() and the constraints the booking rules rely on need PostgreSQL.
    require_scheme("DATABASE_URL", DATABASE_URL, ["postgres", "postgresql", "pgsql"])
    # Cookies are Secure-only in production: over plain HTTP nobody could sign in.
    require_scheme("SITE_URL", SITE_URL, ["https"])
else:
    # A fixed key is fine for local use only; production refuses to start without its own.
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
    SITE_URL = SITE_URL or "http://localhost:8000"

# The domain in calendar UIDs and email links; stable for the life of the site.
SITE_DOMAIN = env_str("SITE_DOMAIN") or SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
SITE_NAME = "Balint groups"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "balint",
    "balint.outbox",
    "balint.audit",
    "members",
    "groups",
    "groups.agreements.apps.AgreementsConfig",
    "sessions.meetings.apps.MeetingsConfig",
    "sessions.tasters.apps.TastersConfig",
    "sessions.attendance.apps.AttendanceConfig",
    "sessions.programmes.apps.ProgrammesConfig",
    "sessions.calendar.apps.CalendarConfig",
    "sessions.reports.apps.ReportsConfig",
    "sessions.site.apps.SiteConfig",
]

MIDDLEWARE = [
    # First: it reads the tables' versions before anything else reads the database.
    "balint.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "balint.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "balint.middleware.AuthenticationMiddleware",
    "members.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "groups.mfa.MfaSetupMiddleware",
]

ROOT_URLCONF = "balint.urls"
WSGI_APPLICATION = "balint.wsgi.application"
ASGI_APPLICATION = "balint.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "balint.context_processors.site",
                "groups.context_processors.nav_roles",
                "balint.page_cache.placeholders",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(DATABASE_URL or "sqlite://", base_dir=BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Caching: Redis when configured (allauth's rate limits must be shared by every web process).
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL and not CACHE_URL.startswith("locmem:"):
    CACHES = {
        "default": {
            "BACKEND": "balint.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "balint",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Accounts (django-allauth): email is the login, verified before first use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Balint groups] "
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
# An address a taster invitation was sent to counts as verified when signing up from its link.
ACCOUNT_ADAPTER = "sessions.site.adapter.AccountAdapter"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Every other check of the signed-in person's password (members/passwords.py): closing the
    # account. Counted per person, right or wrong, so a found session cannot guess the password.
    "check_password": "10/15m/user",
}
# Per-address rate limits need each client's own address. Behind proxies, REMOTE_ADDR is the
# nearest proxy's, so every client would share one counter (one attacker could lock everyone out):
# the client is the address the outermost of our proxies added to X-Forwarded-For, counted from
# the right. 0 (no proxy) ignores X-Forwarded-For, which a client can write itself. A proxy that
# puts the client's address in a header of its own (X-Real-IP) may be named instead.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "groups.mfa.MfaAdapter"
# Staff and programme admins must set up two-factor authentication (groups/mfa.py).
MFA_REQUIRED_FOR_ADMINS = env_bool("MFA_REQUIRED_FOR_ADMINS", default=True)
MFA_TOTP_ISSUER = SITE_NAME

# Signing in with an organisation's account (NHSmail, Entra, Google Workspace, any OpenID Connect
# provider): only the providers in OIDC_PROVIDERS, none by default (README, "Signing in with an
# organisation's account"). sessions/site/sign_in.py decides which email claims count as verified
# and whether a provider's multi-factor claim stands in for the site's own two-factor check.
SIGN_IN_APPS = sign_in_providers(env_str("OIDC_PROVIDERS"), production=PRODUCTION)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "sessions.site.sign_in.OrganisationProvider",
        "APPS": SIGN_IN_APPS,
    }
}
# A sign-in button posts to the site, which redirects the browser to the provider: the CSP's
# form-action covers that redirect, so it names each provider's origin.
SIGN_IN_ORIGINS = sorted({url_origin(app["settings"]["server_url"]) for app in SIGN_IN_APPS})
SOCIALACCOUNT_ADAPTER = "sessions.site.sign_in.SocialAccountAdapter"
# A provider account joins an existing account only by an address the provider asserts as
# verified; any other address is confirmed by email first (ACCOUNT_EMAIL_VERIFICATION).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

# Mail: SMTP when SMTP_HOST is set, otherwise printed to the console. (Django 6.1's MAILERS;
# the old EMAIL_* settings must not be defined beside it, hence the SMTP_* names.)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Balint groups <noreply@{SITE_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people write when something doesn't work: shown at the foot of every page.
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", f"help@{SITE_DOMAIN}")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env_int("SMTP_PORT", 587),
                "username": env_str("SMTP_USER") or None,
                "password": env_str("SMTP_PASSWORD") or None,
                "use_tls": env_bool("SMTP_USE_TLS", default=PRODUCTION),
                "timeout": env_int("SMTP_TIMEOUT", 20),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Celery: Redis as broker in production; without REDIS_URL every task runs in-process.
# In eager mode Celery still opens its in-memory transport, which wants a host name.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL) or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "balint")
# A message not acknowledged within this time (its worker died) is delivered again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600),
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
# When Redis is down at commit, give up quickly: the outbox row stays and the sweeper sends it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "balint.outbox.tasks.sweep_outbox", "schedule": 60.0},
    # Calendars (sessions/calendar/tasks.py). Each scan is idempotent: its outbox rows have keys.
    "meeting-reminders": {
        "task": "sessions.calendar.tasks.send_due_reminders",
        "schedule": 5 * 60.0,
    },
    # Prompts go at 08:00 in each group's zone, digests from 08:00 in each leader's: run often
    # enough that every zone's 08:00 comes round within a quarter or a whole hour.
    "register-prompts": {
        "task": "sessions.calendar.tasks.send_register_prompts",
        "schedule": 15 * 60.0,
    },
    "join-request-digests": {
        "task": "sessions.calendar.tasks.send_join_request_digests",
        "schedule": crontab(minute=5),
    },
    # Meetings up to each schedule's horizon (idempotent; one group lock at a time).
    "extend-schedule-horizons": {
        "task": "sessions.meetings.tasks.extend_schedule_horizons",
        "schedule": crontab(hour=3, minute=15),
    },
    # After meetings: invite tasters to ask to join (idempotent: each booking once, outbox keys).
    "taster-follow-up": {"task": "sessions.reports.tasks.follow_up_tasters", "schedule": 15 * 60.0},
    # Anonymous feedback links for cohorts whose block has ended (idempotent: outbox keys).
    "feedback-invitations": {
        "task": "sessions.reports.tasks.send_feedback_invitations",
        "schedule": 15 * 60.0,
    },
    # Feedback results are published in batches: closed rounds, and pools of five or more.
    "feedback-publication": {
        "task": "sessions.reports.tasks.publish_feedback",
        "schedule": crontab(hour=2, minute=30),
    },
    # Offers of a waitlist place that were not taken up lapse and go to the next person.
    "waitlist-offers": {
        "task": "groups.tasks.expire_waitlist_offers",
        "schedule": crontab(minute=35),
    },
    # Cohorts' block memberships end by themselves after the block's last day (idempotent).
    "block-memberships": {
        "task": "groups.tasks.end_finished_block_memberships",
        "schedule": crontab(minute=20),
    },
    # Calendar answers from the IMAP mailbox (sessions/calendar/mailbox.py); nothing without
    # IMAP_HOST. Each answer is applied once, however often it is read.
    "calendar-replies": {
        "task": "sessions.calendar.tasks.read_calendar_replies",
        "schedule": 5 * 60.0,
    },
    # Retention (sessions/site/retention.py): deletes what is past its period; idempotent.
    "purge-expired-data": {
        "task": "sessions.site.tasks.purge_expired_data",
        "schedule": crontab(hour=3, minute=45),
    },
}

# Days someone offered a place from the waitlist has to accept it before it goes to the next.
WAITLIST_OFFER_DAYS = env_int("WAITLIST_OFFER_DAYS", 7)

# The outbox: how often a message is tried before it is marked failed, and how long a pending
# message waits before the sweeper queues it again (longer than a normal send takes).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_SWEEP_AFTER_SECONDS = env_int("OUTBOX_SWEEP_AFTER_SECONDS", 120)

# Calendar replies: invitations name REPLIES_ADDRESS, plus a signed token per person and
# meeting, as their organiser and ask for an answer; the beat task reads those answers from the
# IMAP mailbox below. Unset: invitations ask for none (RSVP=FALSE) and nothing is read.
REPLIES_ADDRESS = env_str("REPLIES_ADDRESS")
IMAP_HOST = env_str("IMAP_HOST")
IMAP_USE_SSL = env_bool("IMAP_USE_SSL", default=True)
IMAP_PORT = env_int("IMAP_PORT", 993 if IMAP_USE_SSL else 143)
IMAP_USER = env_str("IMAP_USER")
IMAP_PASSWORD = env_str("IMAP_PASSWORD")
IMAP_FOLDER = env_str("IMAP_FOLDER", "INBOX")
# Where answers go once read; unset: they stay, marked seen. Mail that is no answer we can read is
# set aside in IMAP_FAILED_FOLDER, or flagged (and marked seen) when that is unset.
IMAP_PROCESSED_FOLDER = env_str("IMAP_PROCESSED_FOLDER")
IMAP_FAILED_FOLDER = env_str("IMAP_FAILED_FOLDER")
IMAP_TIMEOUT = env_int("IMAP_TIMEOUT", 30)
if PRODUCTION and REPLIES_ADDRESS:
    # Invitations that ask for answers nobody reads would lose every apology sent by calendar.
    for name, value in [
        ("IMAP_HOST", IMAP_HOST),
        ("IMAP_USER", IMAP_USER),
        ("IMAP_PASSWORD", IMAP_PASSWORD),
    ]:
        require(name, value)

# Retention (UK GDPR): days after which sent emails, expired or revoked taster invitations and
# address invitations to a group or cohort are deleted by the daily purge.
RETENTION_SENT_MESSAGES_DAYS = env_int("RETENTION_SENT_MESSAGES_DAYS", 90)
RETENTION_EXPIRED_INVITATIONS_DAYS = env_int("RETENTION_EXPIRED_INVITATIONS_DAYS", 30)
RETENTION_PENDING_INVITES_DAYS = env_int("RETENTION_PENDING_INVITES_DAYS", 180)
RETENTION_AUDIT_LOG_DAYS = env_int("RETENTION_AUDIT_LOG_DAYS", 730)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# allauth's pages and emails in the site's voice (locale/en_GB/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security. Every page carries a strict Content-Security-Policy: no inline script, no CDN.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF, *SIGN_IN_ORIGINS],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features switched off for every page (Permissions-Policy; balint/middleware.py).
PERMISSIONS_POLICY_OFF = [
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
]
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe the health check over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/live)?$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]

# Every handler masks the secret tokens of URLs ("Not Found: /calendar/***.ics"; the routes are
# listed in balint/log_masking.py, which gunicorn's logger uses too). Django's own "django" and
# "django.server" handlers are replaced by these, so no record reaches a stream unmasked.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "balint.log_masking.MaskSecretPaths"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
