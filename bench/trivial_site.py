"""The benches' yardstick: a trivial Django view behind Django's default middleware (the list
`django-admin startproject` writes), on the production settings otherwise (with Django's
default apps, as the site's own need middleware of theirs). pages_bench.py serves
it from a gunicorn of its own, started exactly as the site's is:

    DJANGO_SETTINGS_MODULE=bench.trivial_site gunicorn balint.wsgi:application
"""

from django.http import HttpResponse
from django.urls import path

from balint.settings import *  # noqa: F403 (the production settings, then Django's defaults)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
AUTH_USER_MODEL = "auth.User"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "bench.trivial_site"


def trivial(request):
    return HttpResponse("OK", content_type="text/plain")


urlpatterns = [path("trivial", trivial)]
