from django.conf import settings


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
