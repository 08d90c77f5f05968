import hashlib

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.utils.functional import SimpleLazyObject

from balint import changes


class PermissionsPolicyMiddleware:
    """Switch off the browser features the site never uses (camera, microphone, location,
    payment…), so nothing injected into a page could ask for them either."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_OFF)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class AuthenticationMiddleware(DjangoAuthentication):
    """Django's, with the signed-in person's row kept between requests while it is unchanged
    (balint/changes.py), for the requests of kept pages: keyed by what the session says
    (the person, the backend and the password's hash), so that what Django's get_user checks
    is checked against the same row as before."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _kept_user(request))


def _kept_user(request):
    if changes.current() is None:
        return auth.get_user(request)
    session = request.session
    said = [session.get(key) for key in (auth.SESSION_KEY, auth.BACKEND_SESSION_KEY)]
    if said[0] is None:
        return auth.get_user(request)
    said.append(session.get(auth.HASH_SESSION_KEY))
    key = "user:" + hashlib.sha256(repr(said).encode()).hexdigest()
    return changes.kept(
        key, lambda: auth.get_user(request), keep=lambda user: user.is_authenticated
    )
