"""How the layers above add their parts to the groups' pages, through two named signals.

The finder's cards and the group page show what only the meetings layers know (when the group
meets, its next meetings, taster seats), and the tabs between a group's management pages lead to
pages of those layers. Groups never import them. Instead:

- the finder and the group page send `group_pages_composing` with the groups about to be shown (a
  list), the viewer, and whether it is for the group page. A receiver sets what it needs on the
  groups, in a constant number of queries however many there are, and answers with a
  `PageParts` naming the templates to include in each finder card and on the group page (with
  `group` and `access` in their context), and when the clock next changes what it set;
- the management pages send `manage_tabs_composing` with the group; a receiver answers with the
  `ManageTab`s of its layer.

With no receiver the pages simply leave those parts out.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.dispatch import Signal
from django.urls import reverse

group_pages_composing = Signal()  # groups=, user=, group_page=; receivers answer with PageParts
manage_tabs_composing = Signal()  # group=; receivers answer with a list of ManageTab


@dataclass(frozen=True)
class PageParts:
    card_template: str = ""
    page_template: str = ""
    # When the clock next changes what the receiver set on the groups for the page being
    # composed (None: only a change to its tables does), so that the page can be kept until then.
    changes_at: datetime | None = None


@dataclass(frozen=True)
class ManageTab:
    key: str  # what the page passes as `current`
    label: str
    url_name: str  # reversed with the group's slug
    order: int  # place among the tabs, left to right


GROUP_TABS = (
    ManageTab("detail", "Group page", "groups:detail", 0),
    ManageTab("roster", "Roster", "groups:roster", 10),
    ManageTab("settings", "Settings and leaders", "groups:settings", 100),
)


def page_parts(groups: Sequence, user, *, group_page: bool = False) -> dict:
    """`card_templates` and `page_templates` for the finder (the groups of its cards) or the
    group page (its one group), and `parts_change_at`: the earliest of the receivers'
    `changes_at` (None if none says)."""
    answers = [
        parts
        for _, parts in group_pages_composing.send(
            sender=None, groups=groups, user=user, group_page=group_page
        )
    ]
    return {
        "card_templates": [parts.card_template for parts in answers if parts.card_template],
        "page_templates": [parts.page_template for parts in answers if parts.page_template],
        "parts_change_at": min(
            (parts.changes_at for parts in answers if parts.changes_at), default=None
        ),
    }


def manage_tabs(group) -> list[dict]:
    """The tabs between the group's management pages, in order, with their addresses."""
    tabs = list(GROUP_TABS)
    for _, answer in manage_tabs_composing.send(sender=None, group=group):
        tabs.extend(answer)
    return [
        {"key": tab.key, "label": tab.label, "url": reverse(tab.url_name, args=[group.slug])}
        for tab in sorted(tabs, key=lambda tab: tab.order)
    ]
