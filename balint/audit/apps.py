from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "balint.audit"
    label = "audit"
    verbose_name = "Audit log"
