"""What every app's admin shares, so that the admin goes through the rules: a model whose
changes have rules or side effects is either read-only there or saved through its service."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from balint.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    """For inspection only: rows change through the site's operations, never here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StaffReadOnlyAdmin(ReadOnlyAdmin):
    """A log every member of staff may read, with or without model permissions."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent for reading: nothing added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RefusalShownInAdmin:
    """For a ModelAdmin whose `save_model` goes through a service: the service's refusal (any
    DomainError) is shown on the change page as a message instead of a server error. By then the
    operation's transaction has been rolled back, so nothing of the change was saved."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
