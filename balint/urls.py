from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from balint import health, views
from sessions.site.home import views as home

# The admin has no sign-in form of its own: it sends people to allauth's, so its rate limits and
# two-factor authentication apply; signed-in non-staff get a 403. Set before `admin.site.urls`
# is read below, which binds the view.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", home.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz_live"),
    path("accounts/", include("allauth.urls")),
    path("groups/", include("groups.urls")),
    path("staff/who-groups-are-for/", include("groups.audience_urls")),
    path("meetings/", include("sessions.attendance.urls")),
    path("calendar/", include("sessions.calendar.urls")),
    path("tasters/", include("sessions.attendance.taster_urls")),
    path("me/data/", include("sessions.site.urls")),
    path("me/", include("members.urls")),
    path("programmes/", include("sessions.reports.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "balint.views.bad_request"
handler403 = "balint.views.permission_denied"
handler404 = "balint.views.page_not_found"
handler500 = "balint.views.server_error"

admin.site.site_header = f"{settings.SITE_NAME}: administration"
admin.site.site_title = settings.SITE_NAME
