"""The reports layer's tab on a group's management pages: the members' feedback rounds."""

from django.dispatch import receiver

from groups.composition import ManageTab, manage_tabs_composing

TABS = [ManageTab("feedback", "Feedback", "reports:group_feedback", 90)]


@receiver(manage_tabs_composing, dispatch_uid="reports.manage_tabs")
def feedback_tab(sender, group, **kwargs) -> list[ManageTab]:
    return TABS
