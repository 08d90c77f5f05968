from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    """A group's agreement (how the group works: confidentiality, cameras, recording) and who
    has accepted which version of it."""

    name = "groups.agreements"
    label = "agreements"
    verbose_name = "Group agreements"
